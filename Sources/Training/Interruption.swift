import Foundation
import Synchronization

/// Ctrl-C (SIGINT) or SIGTERM asks the run to stop after the current step with a checkpoint;
/// a second one ends the process at once (the handlers reset to the default).
enum Interruption {
    private static let flag = Atomic<Bool>(false)

    static var requested: Bool { flag.load(ordering: .relaxed) }

    static func install() {
        for signalNumber in [SIGINT, SIGTERM] {
            signal(signalNumber) { received in
                Interruption.flag.store(true, ordering: .relaxed)
                signal(received, SIG_DFL)
            }
        }
    }
}
