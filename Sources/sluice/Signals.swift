import Dispatch
import Foundation

/// SIGINT and SIGTERM as an awaitable event, so a command can stop cleanly (flush, close) instead
/// of dying; cancellable, so a command that stops for another reason does not wait forever.
enum Signals {
    /// Returns the signal that arrived, or `nil` when the waiting task was cancelled first.
    static func waitForStop() async -> Int32? {
        let waiter = Waiter()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Int32?, Never>) in waiter.start(c) }
        } onCancel: {
            waiter.finish(nil)
        }
    }

    private final class Waiter: @unchecked Sendable {   // state behind `lock`
        private struct State {
            var continuation: CheckedContinuation<Int32?, Never>?
            var sources: [DispatchSourceSignal] = []
            var done = false
        }
        private let lock = NSLock()
        private var value = State()
        private func withState<T>(_ body: (inout State) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&value)
        }
        private let queue = DispatchQueue(label: "sluice.signals")

        func start(_ c: CheckedContinuation<Int32?, Never>) {
            let already = withState { s in
                if s.done { return true }
                s.continuation = c
                return false
            }
            if already { c.resume(returning: nil); return }
            var made: [DispatchSourceSignal] = []
            for signo in [SIGINT, SIGTERM] {
                signal(signo, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
                source.setEventHandler { [self] in finish(signo) }
                source.resume()
                made.append(source)
            }
            let late = withState { s -> Bool in
                if s.done { return true }
                s.sources = made
                return false
            }
            if late { for source in made { source.cancel() } }
        }

        func finish(_ signo: Int32?) {
            let (c, sources) = withState { s -> (CheckedContinuation<Int32?, Never>?, [DispatchSourceSignal]) in
                guard !s.done else { return (nil, []) }
                s.done = true
                defer { s.continuation = nil; s.sources = [] }
                return (s.continuation, s.sources)
            }
            for s in sources { s.cancel() }
            c?.resume(returning: signo)
        }
    }
}
