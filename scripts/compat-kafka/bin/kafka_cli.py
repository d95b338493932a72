#!/usr/bin/env python3
"""The two Kafka command-line tools librdkafka's test suite shells out to (through KAFKA_PATH),
done with confluent-kafka's AdminClient so `make compat` needs no Java Kafka distribution:

  kafka-topics.sh --bootstrap-server B --create --topic T --partitions N --replication-factor R [--config k=v]…
  kafka-topics.sh --bootstrap-server B --alter --topic T --partitions N
  kafka-topics.sh --bootstrap-server B --delete --topic T
  kafka-acls.sh --bootstrap-server B --add (--allow-principal P | --deny-principal P) --operation O
                (--allow-host H | --deny-host H) --topic T

The bootstrap comes from the flag or, as the suite passes it to kafka-topics.sh, from $BROKERS.
"""
import os
import sys

from confluent_kafka.admin import (AclBinding, AclOperation, AclPermissionType, AdminClient, NewPartitions, NewTopic,
                                   ResourcePatternType, ResourceType)


def value(args, flag, default=None):
    return args[args.index(flag) + 1] if flag in args else default


def values(args, flag):
    return [args[i + 1] for i, a in enumerate(args) if a == flag and i + 1 < len(args)]


def wait(futures, what):
    for name, f in futures.items():
        try:
            f.result()
        except Exception as e:  # the tool's own output style: say what failed and exit 1
            print("Error while executing %s %s: %s" % (what, name, e), file=sys.stderr)
            sys.exit(1)


def topics(args):
    admin = AdminClient({"bootstrap.servers": value(args, "--bootstrap-server", os.environ.get("BROKERS"))})
    topic = value(args, "--topic").strip('"')
    if "--create" in args:
        config = dict(c.split("=", 1) for c in values(args, "--config"))
        new = NewTopic(topic, int(value(args, "--partitions", "1")), int(value(args, "--replication-factor", "1")), config=config)
        wait(admin.create_topics([new], operation_timeout=30), "create topic")
    elif "--alter" in args:
        wait(admin.create_partitions([NewPartitions(topic, int(value(args, "--partitions")))], operation_timeout=30), "alter topic")
    elif "--delete" in args:
        wait(admin.delete_topics([topic], operation_timeout=30), "delete topic")
    else:
        print("kafka-topics.sh: only --create, --alter --partitions and --delete are provided here", file=sys.stderr)
        sys.exit(2)


def acls(args):
    admin = AdminClient({"bootstrap.servers": value(args, "--bootstrap-server")})
    if "--add" not in args or "--topic" not in args:
        print("kafka-acls.sh: only --add on a --topic is provided here", file=sys.stderr)
        sys.exit(2)
    allow = "--allow-principal" in args
    principal = value(args, "--allow-principal" if allow else "--deny-principal").strip("'")
    host = value(args, "--allow-host" if allow else "--deny-host", "*").strip("'")
    operation = getattr(AclOperation, value(args, "--operation").upper())
    binding = AclBinding(ResourceType.TOPIC, value(args, "--topic").strip("'"), ResourcePatternType.LITERAL, principal, host, operation,
                         AclPermissionType.ALLOW if allow else AclPermissionType.DENY)
    wait(admin.create_acls([binding], request_timeout=30), "create acl")


if __name__ == "__main__":
    {"kafka-topics.sh": topics, "kafka-acls.sh": acls}[sys.argv[1]](sys.argv[2:])
