import Testing
@testable import KafkaProtocol

/// CreateAcls, DescribeAcls and DeleteAcls: every version round-trips, truncations are typed
/// errors, and filters select as Kafka's AclBindingFilter does.
@Suite struct AclMessagesRoundTripTests {
    let rt = RoundTripTests()
    let readAlice = AclBinding(resourceType: .topic, resourceName: "orders", principal: "User:alice", operation: .read, permission: .allow)
    let denyPrefix = AclBinding(resourceType: .group, resourceName: "team-", patternType: .prefixed, principal: "User:*", host: "10.0.0.7",
                                operation: .all, permission: .deny)

    @Test func createAcls() throws {
        try rt.check(CreateAclsRequest(creations: [readAlice, denyPrefix]), versions: 1...3)
        try rt.check(CreateAclsResponse(throttleTimeMs: 3, results: [.init(), .init(errorCode: .invalidRequest, errorMessage: "why")]), versions: 1...3)
    }

    @Test func describeAcls() throws {
        try rt.check(DescribeAclsRequest(filter: AclBindingFilter(resourceType: .topic, resourceName: "orders", patternType: .match,
                                                                  principal: "User:alice", operation: .any)), versions: 1...3)
        let grouped = DescribeAclsResponse(bindings: [readAlice, denyPrefix, AclBinding(resourceType: .topic, resourceName: "orders",
                                                                                           principal: "User:bob", operation: .write, permission: .allow)])
        #expect(grouped.resources.count == 2, "two ACLs on one topic share a resource entry")
        #expect(Set(grouped.bindings) == Set([readAlice, denyPrefix, AclBinding(resourceType: .topic, resourceName: "orders", principal: "User:bob", operation: .write, permission: .allow)]))
        try rt.check(grouped, versions: 1...3)
        try rt.check(DescribeAclsResponse(errorCode: .clusterAuthorizationFailed, errorMessage: "no"), versions: 1...3)
    }

    @Test func deleteAcls() throws {
        try rt.check(DeleteAclsRequest(filters: [AclBindingFilter(), AclBindingFilter(resourceType: .group, patternType: .prefixed)]), versions: 1...3)
        try rt.check(DeleteAclsResponse(results: [.init(matching: [readAlice, denyPrefix]), .init(errorCode: .securityDisabled, errorMessage: "off")]),
                     versions: 1...3)
    }

    @Test func versionZeroIsNotSpokenAsInKafka4() {
        #expect(throws: KafkaProtocolError.self) { try CreateAclsRequest(creations: [readAlice]).encoded(version: 0) }
    }

    @Test func anUnknownEnumValueDecodesAsUnknown() throws {
        var w = KafkaWriter()
        w.writeInt8(99); w.writeNullableString(nil, compact: false); w.writeInt8(3)
        w.writeNullableString(nil, compact: false); w.writeNullableString(nil, compact: false); w.writeInt8(1); w.writeInt8(1)
        let request = try DescribeAclsRequest.decode(w.bytes, version: 1)
        #expect(request.filter.resourceType == .unknown)
        #expect(request.filter.invalidReason != nil)
    }

    @Test func filtersSelectAsKafkaDoes() {
        #expect(AclBindingFilter().matches(readAlice))
        #expect(AclBindingFilter(resourceType: .topic, resourceName: "orders", patternType: .literal).matches(readAlice))
        #expect(!AclBindingFilter(resourceType: .topic, resourceName: "orders", patternType: .prefixed).matches(readAlice))
        #expect(!AclBindingFilter(principal: "User:bob").matches(readAlice))
        #expect(!AclBindingFilter(operation: .write).matches(readAlice))
        // MATCH: every pattern that applies to the name: the literal, the wildcard, prefixes of it.
        let match = AclBindingFilter(resourceType: .group, resourceName: "team-payments", patternType: .match)
        #expect(match.matches(denyPrefix))
        #expect(match.matches(AclBinding(resourceType: .group, resourceName: "*", principal: "User:a", operation: .read, permission: .allow)))
        #expect(!match.matches(AclBinding(resourceType: .group, resourceName: "team-x", principal: "User:a", operation: .read, permission: .allow)))
    }
}
