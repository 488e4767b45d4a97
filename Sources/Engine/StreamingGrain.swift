import Support

/// Elements a streaming loop (activation, elementwise, normalisation) must have per task
/// before `parallelFor` hands part of it to another thread: below this, waking a thread
/// costs more than the loop itself.
let streamingGrain = 1 << 15
