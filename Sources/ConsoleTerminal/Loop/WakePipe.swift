#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CNCursesW
import Foundation
import Synchronization

/// A self-pipe that wakes the UI thread's `poll()` from any thread: both ends non-blocking
/// and close-on-exec. `wake()` never blocks (a full pipe already means "awake").
public final class WakePipe: Sendable {
    // The descriptors live under the mutex: after `close()` a late wake from a background
    // task is a no-op instead of a write into whatever file reused the number.
    private struct Ends: Sendable { var read: Int32; var write: Int32 }
    private let ends: Mutex<Ends>

    public init() throws {
        var fds: [Int32] = [-1, -1]
        #if canImport(Glibc)
        guard wamod_pipe(&fds) == 0 else { throw TerminalError.setupFailed("pipe: \(String(cString: strerror(errno)))") }
        #else
        guard pipe(&fds) == 0 else { throw TerminalError.setupFailed("pipe: \(String(cString: strerror(errno)))") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        #endif
        ends = Mutex(Ends(read: fds[0], write: fds[1]))
    }

    deinit { close() }

    /// The end to poll for `POLLIN`.
    public var readFD: Int32 { ends.withLock { $0.read } }
    /// The end signal handlers write to (they cannot take the lock).
    var writeFD: Int32 { ends.withLock { $0.write } }

    /// Writes one byte. Safe from any thread; ignores a full pipe (EAGAIN).
    public func wake() {
        ends.withLock { e in
            guard e.write >= 0 else { return }
            var byte: UInt8 = 0
            while true {
                let n = write(e.write, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                break
            }
        }
    }

    /// A closure for `InteractiveApp.start(wake:)`.
    public var waker: @Sendable () -> Void { { [self] in wake() } }

    /// Reads every pending byte. Returns how many there were.
    @discardableResult
    public func drain() -> Int {
        let fd = readFD
        guard fd >= 0 else { return 0 }
        var total = 0
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { total += n; continue }
            if n < 0 && errno == EINTR { continue }
            return total
        }
    }

    /// Closes both ends; later wakes do nothing.
    public func close() {
        ends.withLock { e in
            if e.read >= 0 { _ = systemClose(e.read) }
            if e.write >= 0 { _ = systemClose(e.write) }
            e = Ends(read: -1, write: -1)
        }
    }

    /// Waits until the pipe is readable or `timeoutMs` passes (-1: forever). Returns whether
    /// it was woken. For tests and simple waiters; the run loop polls this fd with the tty.
    public func wait(timeoutMs: Int32) -> Bool {
        var pfd = pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)
        while true {
            let rc = poll(&pfd, 1, timeoutMs)
            if rc < 0 && errno == EINTR { continue }
            return rc > 0 && (pfd.revents & Int16(POLLIN)) != 0
        }
    }
}

private func systemClose(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}
