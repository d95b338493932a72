import Foundation
import KafkaProtocol
import Logging
import StreamLog

/// The engine's ACLs, kept durably in `acls.json` under the data directory (rewritten whole on
/// each change; ACLs are few and change rarely), and the authorizer that reads them. Confined to
/// the engine loop like the rest of the engine's state.
public final class AclStore: @unchecked Sendable {   // confined to the engine loop
    /// nil: no authorizer configured.
    public private(set) var authorizer: AclAuthorizer?
    let path: String

    /// Reads `acls.json` when there is one. ACLs on disk are kept (and reported) even while the
    /// authorizer is off, so turning it on again restores them.
    init(directory: String, configuration: EngineConfiguration.Authorization?) throws {
        path = directory + "/acls.json"
        var stored: [AclBinding] = []
        if let data = FileManager.default.contents(atPath: path) {
            do { stored = try JSONDecoder().decode([StoredAcl].self, from: data).map { try $0.binding() } } catch {
                throw Invalid(description: "\(path) is not a valid ACL file (\(error)); fix it or move it aside to start with no ACLs")
            }
        }
        if let configuration {
            authorizer = AclAuthorizer(superUsers: configuration.superUsers, allowEveryoneIfNoAclFound: configuration.allowEveryoneIfNoAclFound, acls: stored)
        }
    }

    public struct Invalid: Error, CustomStringConvertible { public let description: String }

    /// Adds ACLs (CreateAcls), each checked; the file is written once for all of them. The
    /// answer is in request order: nil for created (or already there), else code and reason.
    package func create(_ acls: [AclBinding]) -> [(code: KafkaErrorCode, message: String)?] {
        guard var next = authorizer else { return acls.map { _ in Self.disabled } }
        var results: [(code: KafkaErrorCode, message: String)?] = []
        for acl in acls {
            if let why = AclAuthorizer.problem(acl) { results.append((.invalidRequest, why)); continue }
            next.insert(acl)
            results.append(nil)
        }
        if next.acls != authorizer?.acls {
            do { try save(next.acls) } catch {
                return results.map { $0 ?? (.unknownServerError, "the ACLs could not be saved: \(error)") }
            }
            authorizer = next
        }
        return results
    }

    /// Removes what each filter selects (DeleteAcls): per filter, the removed ACLs or the reason.
    package func delete(_ filters: [AclBindingFilter]) -> [Result<[AclBinding], Refusal>] {
        guard var next = authorizer else { return filters.map { _ in .failure(Refusal(code: Self.disabled.code, message: Self.disabled.message)) } }
        var results: [Result<[AclBinding], Refusal>] = []
        for filter in filters {
            if let why = filter.invalidReason { results.append(.failure(Refusal(code: .invalidRequest, message: why))); continue }
            results.append(.success(next.remove(matching: filter)))
        }
        if next.acls != authorizer?.acls {
            do { try save(next.acls) } catch {
                return filters.map { _ in .failure(Refusal(code: .unknownServerError, message: "the ACLs could not be saved: \(error)")) }
            }
            authorizer = next
        }
        return results
    }

    /// The ACLs `filter` selects (DescribeAcls).
    package func describe(_ filter: AclBindingFilter) -> Result<[AclBinding], Refusal> {
        guard let authorizer else { return .failure(Refusal(code: Self.disabled.code, message: Self.disabled.message)) }
        if let why = filter.invalidReason { return .failure(Refusal(code: .invalidRequest, message: why)) }
        return .success(authorizer.acls.filter(filter.matches))
    }

    package struct Refusal: Error { package var code: KafkaErrorCode; package var message: String }

    static let disabled = (code: KafkaErrorCode.securityDisabled,
                           message: "no authorizer is configured: set kafka.authorizer: acl in the engine config (docs/security.md)")

    private func save(_ acls: [AclBinding]) throws {
        try DurableFile.replace(path, with: try JSONEncoder().encode(acls.map(StoredAcl.init)))
    }

    /// One ACL in `acls.json`, with Kafka's names for the enums so the file reads like kafka-acls.sh output.
    struct StoredAcl: Codable {
        var resourceType: String, resourceName: String, patternType: String
        var principal: String, host: String, operation: String, permission: String

        init(_ b: AclBinding) {
            resourceType = b.resourceType.description; resourceName = b.resourceName; patternType = b.patternType.description
            principal = b.principal; host = b.host; operation = b.operation.description; permission = b.permission.description
        }

        func binding() throws -> AclBinding {
            func named<E: CaseIterable & CustomStringConvertible>(_ s: String, _ what: String) throws -> E {
                guard let e = E.allCases.first(where: { $0.description == s }) else { throw Invalid(description: "unknown \(what) '\(s)'") }
                return e
            }
            return AclBinding(resourceType: try named(resourceType, "resource type"), resourceName: resourceName,
                              patternType: try named(patternType, "pattern type"), principal: principal, host: host,
                              operation: try named(operation, "operation"), permission: try named(permission, "permission type"))
        }
    }
}
