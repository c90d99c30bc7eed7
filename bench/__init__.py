"""Benchmarks of the I Matter platform, each measured against the stack's own ceiling in the same run.

Run by hand (`make bench`, i.e. `python -m bench.run_all`), never as part of `make test`.
Every load stays on 127.0.0.1 and stops by itself (bounded in time and in request count).

    bench.read_path   1. gateway read path vs a bare Flask route under the same gunicorn settings
    bench.write_path  2. licence and package purchases/s on SQLite and PostgreSQL
    bench.events      3. outbox -> RabbitMQ -> other service's committed effect vs raw pika
    bench.scale       4. the same reads with many organisations and learners loaded (PostgreSQL)
    bench.memory      5. resident size of every service process under load
"""
