import Dispatch
import EngineCore
import Foundation

/// The engine's async API called from task threads, which block (they are ours, not the
/// concurrency pool's, so blocking is their job). Never call ``blocking(_:)`` from a task of the
/// concurrency pool: with every pool thread waiting, nothing would run what they wait for.
enum EngineIO {
    final class Box<T>: @unchecked Sendable { var result: Result<T, Error>? }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    /// Partitions of `topic`, creating it with `partitions` when it is missing (sinks and side
    /// outputs create theirs; sources do not). From a task thread only: it blocks.
    static func ensureTopic(_ engine: Engine, _ topic: String, partitions: Int32) throws -> Int32 {
        try blocking { try await ensureTopic(engine, topic, partitions: partitions) }
    }

    static func ensureTopic(_ engine: Engine, _ topic: String, partitions: Int32) async throws -> Int32 {
        try await engine.ensureTopic(topic, partitions: partitions)
    }
}

/// A job failure with a sentence for the Exceptions view.
public struct RuntimeFailure: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
