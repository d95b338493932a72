import Console
import Display
import Foundation
import Terminal

/// Runs the console on the real terminal, on a thread of its own: its loop blocks in poll(2),
/// and the cooperative pool must stay free for the sources.
enum ConsoleRunner {
    static func run(_ options: ConsoleApp.Options, clock: any ConsoleClock = SystemClock()) async throws -> Int32 {
        let env = ProcessInfo.processInfo.environment
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do { continuation.resume(returning: try ConsoleApp(options: options, clock: clock).run { try NCursesScreen(theme: $0, environment: env) }) } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
