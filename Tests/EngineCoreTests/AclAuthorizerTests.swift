import Foundation
import KafkaProtocol
import Testing
@testable import EngineCore

/// Kafka's authorization rule (docs/security.md), decided without a network: deny wins, implied
/// operations, wildcard and prefixed patterns, super users, and the no-ACL default.
@Suite struct AclAuthorizerTests {
    func allow(_ principal: String, _ op: AclOperation, _ name: String, type: AclResourceType = .topic,
               pattern: AclPatternType = .literal, host: String = "*") -> AclBinding {
        AclBinding(resourceType: type, resourceName: name, patternType: pattern, principal: principal, host: host, operation: op, permission: .allow)
    }
    func deny(_ principal: String, _ op: AclOperation, _ name: String, type: AclResourceType = .topic, pattern: AclPatternType = .literal) -> AclBinding {
        AclBinding(resourceType: type, resourceName: name, patternType: pattern, principal: principal, operation: op, permission: .deny)
    }
    func may(_ a: AclAuthorizer, _ who: String, _ op: AclOperation, _ name: String, type: AclResourceType = .topic, host: String = "10.0.0.1") -> Bool {
        a.authorize(principal: who, host: host, operation: op, resourceType: type, resourceName: name)
    }

    @Test func withoutAclsTheDefaultDecides() {
        #expect(!may(AclAuthorizer(), "User:alice", .read, "orders"))
        #expect(may(AclAuthorizer(allowEveryoneIfNoAclFound: true), "User:alice", .read, "orders"))
        // An ACL on the resource for someone else takes the default away, as in Kafka.
        let a = AclAuthorizer(allowEveryoneIfNoAclFound: true, acls: [allow("User:bob", .read, "orders")])
        #expect(!may(a, "User:alice", .read, "orders"))
        #expect(may(a, "User:alice", .read, "payments"))
    }

    @Test func denyWinsOverAllowAndAllCoversEveryOperation() {
        let a = AclAuthorizer(acls: [allow("User:alice", .all, "orders"), deny("User:*", .write, "orders")])
        #expect(may(a, "User:alice", .read, "orders"))
        #expect(may(a, "User:alice", .alterConfigs, "orders"))
        #expect(!may(a, "User:alice", .write, "orders"))
        let b = AclAuthorizer(acls: [allow("User:alice", .read, "orders"), deny("User:alice", .all, "orders")])
        #expect(!may(b, "User:alice", .read, "orders"))
    }

    @Test func readWriteDeleteAndAlterImplyDescribe() {
        for op in [AclOperation.read, .write, .delete, .alter] {
            let a = AclAuthorizer(acls: [allow("User:alice", op, "orders")])
            #expect(may(a, "User:alice", .describe, "orders"), "\(op) implies DESCRIBE")
        }
        let configs = AclAuthorizer(acls: [allow("User:alice", .alterConfigs, "orders")])
        #expect(may(configs, "User:alice", .describeConfigs, "orders"))
        let describeOnly = AclAuthorizer(acls: [allow("User:alice", .describe, "orders")])
        #expect(!may(describeOnly, "User:alice", .read, "orders"), "DESCRIBE does not imply READ")
        // A deny of READ does not deny DESCRIBE.
        let c = AclAuthorizer(acls: [allow("User:*", .describe, "orders"), deny("User:*", .read, "orders")])
        #expect(may(c, "User:bob", .describe, "orders"))
        #expect(!may(c, "User:bob", .read, "orders"))
    }

    @Test func wildcardsPrefixesAndHosts() {
        let a = AclAuthorizer(acls: [allow("User:*", .read, "*"), allow("User:alice", .write, "team-", pattern: .prefixed),
                                     allow("User:bob", .write, "orders", host: "10.0.0.9")])
        #expect(may(a, "User:carol", .read, "anything"))
        #expect(may(a, "User:alice", .write, "team-payments"))
        #expect(!may(a, "User:alice", .write, "tea"))
        #expect(!may(a, "User:bob", .write, "orders", host: "10.0.0.1"))
        #expect(may(a, "User:bob", .write, "orders", host: "10.0.0.9"))
        // Resource types do not mix: a topic ACL says nothing of a group of the same name.
        #expect(!may(a, "User:carol", .read, "anything", type: .group))
    }

    @Test func superUsersAreNeverChecked() {
        let a = AclAuthorizer(superUsers: ["User:admin"], acls: [deny("User:*", .all, "*")])
        #expect(may(a, "User:admin", .delete, "orders"))
        #expect(!may(a, "User:alice", .describe, "orders"))
    }

    @Test func idempotentProducersNeedWriteSomewhere() {
        let a = AclAuthorizer(acls: [allow("User:alice", .write, "orders")])
        #expect(a.mayDoSomewhere(principal: "User:alice", host: "h", operation: .write, resourceType: .topic))
        #expect(!a.mayDoSomewhere(principal: "User:bob", host: "h", operation: .write, resourceType: .topic))
        let denied = AclAuthorizer(acls: [allow("User:alice", .write, "orders"), deny("User:alice", .write, "*")])
        #expect(!denied.mayDoSomewhere(principal: "User:alice", host: "h", operation: .write, resourceType: .topic))
    }

    @Test func invalidAclsAreNamed() {
        #expect(AclAuthorizer.problem(allow("alice", .read, "orders"))?.contains("Type:name") == true)
        #expect(AclAuthorizer.problem(allow("User:alice", .any, "orders")) != nil)
        #expect(AclAuthorizer.problem(allow("User:alice", .read, "")) != nil)
        #expect(AclAuthorizer.problem(allow("User:alice", .alter, "my-cluster", type: .cluster))?.contains("kafka-cluster") == true)
        #expect(AclAuthorizer.problem(allow("User:alice", .read, "orders", pattern: .match)) != nil)
        #expect(AclAuthorizer.problem(allow("User:alice", .read, "orders")) == nil)
    }

    @Test func theStoreKeepsAclsAcrossRestartsAndRefusesBadOnes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("acls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = EngineConfiguration.Authorization(superUsers: ["User:admin"])
        let store = try AclStore(directory: dir, configuration: config)
        let results = store.create([allow("User:alice", .read, "orders"), allow("alice", .read, "orders"), allow("User:alice", .read, "orders")])
        #expect(results[0] == nil && results[2] == nil, "a duplicate is not an error")
        #expect(results[1]?.code == .invalidRequest)
        let reopened = try AclStore(directory: dir, configuration: config)
        #expect(reopened.authorizer?.acls == [allow("User:alice", .read, "orders")])
        let removed = reopened.delete([AclBindingFilter(principal: "User:alice")])
        #expect((try? removed[0].get())?.count == 1)
        #expect(try AclStore(directory: dir, configuration: config).authorizer?.acls.isEmpty == true)
        // Without an authorizer the ACL APIs answer SECURITY_DISABLED and nothing is written.
        let off = try AclStore(directory: dir, configuration: nil)
        #expect(off.create([allow("User:alice", .read, "orders")])[0]?.code == .securityDisabled)
        // A damaged file is refused with where it is and what to do.
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir + "/acls.json"))
        #expect { try AclStore(directory: dir, configuration: config) } throws: { "\($0)".contains("acls.json") && "\($0)".contains("move it aside") }
    }

    @Test func dynamicBrokerConfigsTakeOnlyRuntimeKeys() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let configs = try DynamicBrokerConfigs(directory: dir)
        try configs.replace(broker: "1", with: ["sasl.kerberos.min.time.before.relogin": "58000"], merge: false, validateOnly: false)
        #expect(throws: DynamicBrokerConfigs.Invalid.self) { try configs.replace(broker: "1", with: ["broker.id": "7"], merge: true, validateOnly: false) }
        #expect(throws: DynamicBrokerConfigs.Invalid.self) { try configs.replace(broker: "1", with: ["log.retention.ms": "soon"], merge: true, validateOnly: false) }
        try configs.replace(broker: "", with: ["log.retention.ms": "60000"], merge: true, validateOnly: true)
        #expect(try DynamicBrokerConfigs(directory: dir).values == ["1": ["sasl.kerberos.min.time.before.relogin": "58000"]])
        try configs.replace(broker: "1", with: ["sasl.kerberos.min.time.before.relogin": nil], merge: true, validateOnly: false)
        #expect(try DynamicBrokerConfigs(directory: dir).values.isEmpty)
    }
}
