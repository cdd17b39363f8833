"""The node's database handle: the engine, the personal-data key and transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine

from scamintel.governance.sealing import PersonalDataSealer
from scamintel.settings import DEFAULT_POOL_SIZE
from scamintel.storage.database import make_engine
from scamintel.storage.store import IndicatorKey, SqlStore

INDICATOR_ID_CACHE_LIMIT = 500_000


class NodeDatabase:
    def __init__(self, engine: Engine, sealer: PersonalDataSealer) -> None:
        self.engine = engine
        self.sealer = sealer
        # Indicator ids never change once committed, so they can be remembered across
        # transactions; only ids from committed transactions are added.
        self._indicator_ids: dict[IndicatorKey, int] = {}

    @classmethod
    def connect(
        cls, database_url: str, secret_key: str, *, pool_size: int = DEFAULT_POOL_SIZE
    ) -> NodeDatabase:
        return cls(make_engine(database_url, pool_size=pool_size), PersonalDataSealer(secret_key))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[SqlStore]:
        """Everything done through the store commits together, or nothing does."""
        with self.engine.begin() as connection:
            store = SqlStore(connection, self.sealer, self._indicator_ids)
            yield store
        self._remember(store.new_indicator_ids)

    def _remember(self, ids: dict[IndicatorKey, int]) -> None:
        if len(self._indicator_ids) + len(ids) > INDICATOR_ID_CACHE_LIMIT:
            self._indicator_ids.clear()
        self._indicator_ids.update(ids)

    def forget_indicator_ids(self) -> None:
        """Drop the remembered ids: needed when tables were emptied or restored behind this
        process's back."""
        self._indicator_ids.clear()

    def dispose(self) -> None:
        self.engine.dispose()

    @contextmanager
    def committed_reads(self) -> Iterator[Connection]:
        """A connection for reads only, each statement reading what is committed when it
        runs, as within a READ COMMITTED transaction. For reads only: on PostgreSQL it is
        outside any transaction, so a statement that wrote would commit at once."""
        with self.engine.connect() as connection:
            if self.dialect == "postgresql":
                # At READ COMMITTED, PostgreSQL's default, every statement takes a snapshot of
                # its own, so a transaction around reads adds only its BEGIN and ROLLBACK
                # round trips: most of what a public check cost the database
                # (docs/benchmarks.md). Set on the connection, not the engine, so that
                # ``connection.engine`` still begins real transactions.
                connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    def reader(self, connection: Connection) -> SqlStore:
        """A store for reads on a connection the caller opened (no write transaction)."""
        return SqlStore(connection, self.sealer, self._indicator_ids)
