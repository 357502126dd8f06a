import ConsoleTerminal
import Foundation
import Testing

@Suite("Wake pipe")
struct WakePipeTests {
    @Test func idlePipeDoesNotWake() throws {
        let pipe = try WakePipe()
        #expect(pipe.wait(timeoutMs: 20) == false)
    }

    @Test func writeFromAnotherThreadWakesPoll() throws {
        let pipe = try WakePipe()
        let waker = pipe.waker
        let thread = Thread { waker() }
        thread.start()
        #expect(pipe.wait(timeoutMs: 10_000))
        #expect(pipe.drain() == 1)
        #expect(pipe.wait(timeoutMs: 0) == false)
    }

    @Test func manyWakesNeverBlockAndDrainEmptiesThePipe() throws {
        let pipe = try WakePipe()
        // Far more than a pipe holds: a full pipe must not block the waker (EAGAIN ignored).
        for _ in 0..<200_000 { pipe.wake() }
        let drained = pipe.drain()
        #expect(drained > 0 && drained <= 200_000)
        #expect(pipe.wait(timeoutMs: 0) == false)
    }

    @Test func wakeAfterCloseIsHarmless() throws {
        let pipe = try WakePipe()
        let waker = pipe.waker
        pipe.close()
        waker()
        #expect(pipe.readFD == -1)
    }
}
