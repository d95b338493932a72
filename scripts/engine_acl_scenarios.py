"""ACL scenarios for engine-clients.py: three SASL users against an engine whose config has
users admin, alice and bob (password = name + "-pw"), super.users [admin], and no
allow.everyone.if.no.acl.found. admin grants alice what she needs and bob only DESCRIBE; each
denied read, write, group join, topic delete and ACL call must come back with Kafka's error.
"""
import time
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import (AclBinding, AclBindingFilter, AclOperation, AclPermissionType, AdminClient,
                                   ResourcePatternType, ResourceType)

from engine_clients_common import check, create


def conf(a, user, **extra):
    c = {"bootstrap.servers": a.bootstrap, "security.protocol": "SASL_PLAINTEXT", "sasl.mechanisms": "PLAIN",
         "sasl.username": user, "sasl.password": user + "-pw"}
    c.update(extra)
    return c


def error_code(f):
    try:
        f.result()
        return None
    except KafkaException as e:
        return e.args[0].name()


def produce_one(a, user, topic):
    p = Producer(conf(a, user, **{"message.timeout.ms": 10000}))
    results = []
    p.produce(topic, key=b"k", value=("from " + user).encode(), on_delivery=lambda e, m: results.append(e.name() if e else "ok"))
    p.flush(15)
    return results[0] if results else "no delivery report"


def first_error(c, seconds=15):
    """Polls until a record or an error arrives: the record's value, or the error's name."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        m = c.poll(0.5)
        if m is None:
            continue
        if m.error():
            if m.error().code() == KafkaError._PARTITION_EOF:
                continue
            return m.error().name()
        return "record"
    return "nothing"


def acl(name, principal, op, permission=AclPermissionType.ALLOW, rtype=ResourceType.TOPIC, pattern=ResourcePatternType.LITERAL):
    return AclBinding(rtype, name, pattern, principal, "*", op, permission)


def scenario_acls(a):
    tag = uuid.uuid4().hex[:6]
    topic, spare, group = "orders-" + tag, "audit-" + tag, "alice-" + tag
    admin = AdminClient(conf(a, "admin"))
    create(admin, topic, 3)
    create(admin, spare, 1)
    grants = [
        acl(topic, "User:alice", AclOperation.WRITE),
        acl(topic, "User:alice", AclOperation.READ),
        acl("alice-", "User:alice", AclOperation.READ, rtype=ResourceType.GROUP, pattern=ResourcePatternType.PREFIXED),
        acl(topic, "User:bob", AclOperation.DESCRIBE),
        acl("bob-assign-" + tag, "User:bob", AclOperation.READ, rtype=ResourceType.GROUP),
    ]
    for f in admin.create_acls(grants, request_timeout=10).values():
        f.result()
    found = {"acls": len(admin.describe_acls(AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None,
                                                                AclOperation.ANY, AclPermissionType.ANY), request_timeout=10).result())}

    # alice: allowed to write and to read through her group.
    found["alice_write"] = produce_one(a, "alice", topic)
    c = Consumer(conf(a, "alice", **{"group.id": group, "auto.offset.reset": "earliest"}))
    c.subscribe([topic])
    found["alice_read"] = first_error(c)
    c.close()

    # bob: may see the topic, nothing more.
    found["bob_write"] = produce_one(a, "bob", topic)
    c = Consumer(conf(a, "bob", **{"group.id": "bob-" + tag, "auto.offset.reset": "earliest"}))
    c.subscribe([topic])
    found["bob_join"] = first_error(c)
    c.close()
    c = Consumer(conf(a, "bob", **{"group.id": "bob-assign-" + tag, "auto.offset.reset": "earliest", "enable.auto.commit": False}))
    c.assign([TopicPartition(topic, 0, 0)])
    found["bob_read"] = first_error(c)
    c.close()

    # Deleting topics and reading ACLs: alice may not, admin (a super user) may.
    alice_admin = AdminClient(conf(a, "alice"))
    found["alice_delete"] = error_code(alice_admin.delete_topics([spare], operation_timeout=10)[spare])
    everything = AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY, AclPermissionType.ANY)
    # librdkafka drops DescribeAcls' top-level error and reports no ACLs; the engine logs the denial.
    try:
        found["alice_sees_acls"] = len(alice_admin.describe_acls(everything, request_timeout=10).result())
    except KafkaException as e:
        found["alice_sees_acls"] = e.args[0].name()
    found["alice_delete_acls"] = error_code(list(alice_admin.delete_acls([everything], request_timeout=10).values())[0])
    found["admin_delete"] = error_code(admin.delete_topics([spare], operation_timeout=10)[spare]) or "ok"
    # An invalid ACL is refused with the reason.
    bad = acl("kafka-cluster", "alice", AclOperation.ALTER, rtype=ResourceType.BROKER)
    found["invalid_acl"] = error_code(admin.create_acls([bad], request_timeout=10)[bad])
    return found


def scenario_acls_after_restart(a):
    """After a restart: the ACLs are still there, and still enforced."""
    admin = AdminClient(conf(a, "admin"))
    acls = admin.describe_acls(AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, None, None,
                                                AclOperation.ANY, AclPermissionType.ANY), request_timeout=10).result()
    topic = next(b.name for b in acls if b.name.startswith("orders-"))
    removed = admin.delete_acls([AclBindingFilter(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL, "User:bob", None,
                                                  AclOperation.ANY, AclPermissionType.ANY)], request_timeout=10)
    gone = sum(len(f.result()) for f in removed.values())
    return {"acls": len(acls), "bob_acls_removed": gone, "alice_write": produce_one(a, "alice", topic)}
