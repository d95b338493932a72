"""Change capture scenarios: a capture's topic read back with confluent-kafka, as any consumer
would. Run through engine-clients.py."""
import json

from engine_clients_common import consume_all


def scenario_capture_read(a):
    """Every record of --topic (at least --count), in partition and offset order: key and value
    parsed as JSON (null for a tombstone)."""
    got = consume_all(a.bootstrap, a.topic, a.count, timeout=60)
    rows = sorted(got, key=lambda m: (m.partition(), m.offset()))
    return {"records": [[None if m.key() is None else json.loads(m.key()), None if m.value() is None else json.loads(m.value()),
                         m.partition(), m.offset()] for m in rows]}
