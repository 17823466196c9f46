# demo/benchmark outbox generator and benchmark helpers.
