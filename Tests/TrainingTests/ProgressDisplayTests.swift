import Testing
@testable import Training

@Suite struct ProgressDisplayTests {
    @Test func aPlainRunDrawsTheBarOnlyOnATerminal() {
        #expect(ProgressDisplay.reachesTerminal(standardOutputIsTerminal: true, underMPI: false, launcherOutput: nil))
        #expect(!ProgressDisplay.reachesTerminal(standardOutputIsTerminal: false, underMPI: false, launcherOutput: nil))
    }

    /// mpirun hands each rank a pseudo-terminal whatever its own output is, so the rank asks
    /// where mpirun's output goes.
    @Test func underMPIOnlyALauncherOnATerminalGetsTheBar() {
        #expect(ProgressDisplay.reachesTerminal(standardOutputIsTerminal: true, underMPI: true, launcherOutput: "/dev/pts/0"))
        #expect(!ProgressDisplay.reachesTerminal(standardOutputIsTerminal: true, underMPI: true, launcherOutput: "/scratch/job-1234.out"))
        #expect(!ProgressDisplay.reachesTerminal(standardOutputIsTerminal: true, underMPI: true, launcherOutput: "pipe:[81234]"))
        #expect(!ProgressDisplay.reachesTerminal(standardOutputIsTerminal: true, underMPI: true, launcherOutput: nil))
    }

    /// A full disk under log.txt (here /dev/full, which fails every write with ENOSPC) ends the
    /// log, not the run.
    @Test func aLogThatCannotBeWrittenDoesNotStopTheRun() {
        let display = ProgressDisplay(format: .quiet)
        display.attachLog(path: "/dev/full")
        display.message("first line")
        display.message("second line")
    }
}
