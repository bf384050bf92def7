"""The screening engine: the name matcher and the address index over the current list versions.

`Screener` is immutable once built: one set of list versions, one matcher, one address index.
`ScreeningService` owns the current `Screener` for a store, builds it once (warm-up at start-up)
and builds a new one when a list version changes, while the old one keeps serving.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Protocol

from rempart.adapters.storage import lists_repo
from rempart.adapters.storage.db import Store
from rempart.domain.lists import ListedEntity, ListVersion, entity_id, sha256_json
from rempart.domain.parties import Customer
from rempart.domain.screening import addresses as addr
from rempart.domain.screening.model import Hit, NameQuery
from rempart.errors import InputError

ADDRESS_ALGORITHM = f"{addr.ALGORITHM}/{addr.ALGORITHM_VERSION}"


class NameMatcher(Protocol):
    algorithm: str

    def search(
        self,
        query: NameQuery,
        limit: int = 10,
        threshold: float | None = None,
        min_score: float | None = None,
    ) -> list[Hit]: ...


MatcherFactory = Callable[[Sequence[tuple[str, str, ListedEntity]], float], NameMatcher]


def default_cache_dir() -> Path:
    """Where a built screener is kept between runs (a private per-user directory; pickles are only
    read from here, keyed by list versions, matcher code and threshold)."""
    return Path(os.environ.get("REMPART_CACHE_DIR") or Path.home() / ".cache" / "rempart")


def default_matcher_factory(
    entries: Sequence[tuple[str, str, ListedEntity]], threshold: float
) -> NameMatcher:
    from rempart.domain.screening.index import Matcher

    return Matcher(entries, threshold=threshold)


@dataclass(frozen=True)
class EntityInfo:
    """What alerts and the restrictions engine need to know about a listed entity."""

    list_name: str
    list_version: str
    content_hash: str
    programs: tuple[str, ...]
    listed_on: str | None


@dataclass(frozen=True)
class ScreenResult:
    hits: list[Hit]
    lists: dict[str, str]  # list name -> version screened against
    algorithm: str
    threshold: float
    query: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "hits": [h.to_dict() for h in self.hits],
            "lists": dict(self.lists),
            "algorithm": self.algorithm,
            "threshold": self.threshold,
            "query": self.query,
        }


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Building or loading millions of small objects: the cyclic collector only slows it down."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
        gc.freeze()  # long-lived: keep them out of later collections (and share pages after fork)


# one made-up name per script the romanizer knows, searched once at warm-up
WARM_UP_NAMES = (
    "Ivan Testerov",
    "Иван Тестеров",
    "Іван Тестерук",
    "محمد تستر",
    "دانیال تستری",
    "דוד טסטר",
    "김 철수",
    "김철수",
    "张 伟",
    "桂荣 兰",
    "王小明",
    "山田 太郎",
    "やまだ たろう",
    "ヤマダ タロウ",
    "Γιώργος Τεστάκης",
    "Արամ Թեստյան",
    "გიორგი ტესტაძე",
    "राम टेस्टर",
    "สมชาย ทดสอบ",
    "Nguyễn Văn Tèst",
)
_HIT_FIELDS = tuple(f.name for f in fields(Hit))  # in the order Hit(...) takes them
RESULT_CACHE_SIZE = 4096  # screen_name results remembered per screener (a repeated identical query)


class _ResultCache:
    """A small thread-safe LRU of name screening results. It lives in one screener, which is
    immutable (one set of list versions, one threshold), so a result never goes stale; it is not
    pickled with the screener.

    A result is kept packed (`marshal`: one bytes object instead of some fifty dicts, lists and hits
    per result), and unpacked into new objects for each caller: the cyclic garbage collector does
    not walk bytes, so a full cache does not lengthen its pauses (several milliseconds in the
    middle of some search), and what a caller does to a result does not reach the next caller."""

    def __init__(self, size: int = RESULT_CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, bytes | ScreenResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> ScreenResult | None:
        with self._lock:
            got = self._items.get(key)
            if got is not None:
                self._items.move_to_end(key)
        if got is None or isinstance(got, ScreenResult):
            return got
        hits, lists, algorithm, threshold, query = marshal.loads(got)
        return ScreenResult([Hit(*h) for h in hits], lists, algorithm, threshold, query)

    def put(self, key: Hashable, value: ScreenResult) -> None:
        packed: bytes | ScreenResult
        try:
            packed = marshal.dumps(
                (
                    [tuple(getattr(h, f) for f in _HIT_FIELDS) for h in value.hits],
                    value.lists,
                    value.algorithm,
                    value.threshold,
                    value.query,
                )
            )
        except ValueError:  # something marshal cannot write: a copy kept as it is
            packed = ScreenResult(
                list(value.hits), dict(value.lists), value.algorithm, value.threshold, dict(value.query)
            )
        with self._lock:
            self._items[key] = packed
            if len(self._items) > self.size:
                self._items.popitem(last=False)

    def __getstate__(self) -> dict[str, Any]:
        return {"size": self.size}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state.get("size", RESULT_CACHE_SIZE))  # type: ignore[misc]


class Screener:
    """Matcher and address index over a fixed set of list versions."""

    def __init__(
        self,
        entries: Sequence[tuple[str, str, ListedEntity]],
        versions: Mapping[str, str],
        *,
        threshold: float,
        matcher_factory: MatcherFactory = default_matcher_factory,
    ) -> None:
        with _no_gc():
            self._build(entries, versions, threshold, matcher_factory)

    def _build(
        self,
        entries: Sequence[tuple[str, str, ListedEntity]],
        versions: Mapping[str, str],
        threshold: float,
        matcher_factory: MatcherFactory,
    ) -> None:
        self.versions = dict(versions)
        self.threshold = threshold
        self._results = _ResultCache()
        self.matcher = matcher_factory(entries, threshold)
        self.algorithm = self.matcher.algorithm
        self.addresses = addr.AddressIndex()
        self.entities: dict[str, EntityInfo] = {}
        self._objects: dict[str, ListedEntity] = {}
        self.fingerprint = sha256_json(sorted(self.versions.items()))
        for list_name, version, e in entries:
            eid = entity_id(list_name, e.source_id)
            self._objects[eid] = e
            self.entities[eid] = EntityInfo(
                list_name,
                version,
                e.content_hash(),
                e.programs,
                e.listed_on.isoformat() if e.listed_on else None,
            )
            for w in e.wallets:
                self.addresses.add(
                    addr.ListedAddress(
                        eid,
                        e.source_id,
                        list_name,
                        version,
                        e.schema,
                        e.primary_name,
                        w.address,
                        addr.normalize_listed(w.chain, w.address),
                    )
                )

    def entity(self, entity_id: str) -> ListedEntity | None:
        return self._objects.get(entity_id)

    def warm(self) -> None:
        """One search per script, so that what is loaded on first use (romanization tables of a
        script, their caches) is loaded now, before requests (and before workers are forked)."""
        if getattr(self, "_warm", False):
            return
        for name in WARM_UP_NAMES:
            self.matcher.search(NameQuery(name), limit=1)
            self.matcher.search(NameQuery(name, schema="Organization"), limit=1)
        self._warm = True
        # what the searches loaded stays for the life of the process (the Japanese reading's
        # dictionary alone is some 270,000 lists): out of the collector's way, as the screener is,
        # or every full collection walks it again (a pause of 200 ms or more in a search)
        gc.freeze()

    @property
    def size(self) -> int:
        return len(self.entities)

    def _check_lists(self, lists: Sequence[str]) -> None:
        unknown = [x for x in lists if x not in self.versions]
        if unknown:
            raise InputError(
                f"no list {unknown[0]!r} is loaded",
                field="list",
                value=unknown[0],
                expected="one of " + ", ".join(sorted(self.versions))
                if self.versions
                else "an imported list",
            )

    def _lists_used(self, lists: Sequence[str]) -> dict[str, str]:
        return {k: v for k, v in sorted(self.versions.items()) if not lists or k in lists}

    def screen_name(
        self,
        query: NameQuery,
        *,
        limit: int = 10,
        threshold: float | None = None,
        min_score: float | None = None,
    ) -> ScreenResult:
        if not query.name.strip():
            raise InputError("empty name", field="name", expected="a name to screen")
        self._check_lists(query.lists)
        thr = self.threshold if threshold is None else threshold
        key = (query, limit, thr, min_score)
        results = getattr(self, "_results", None)  # (a screener pickled before it had one)
        if results is None:
            results = self._results = _ResultCache()
        got = results.get(key)
        if got is not None:  # a copy of the hit list: a caller may sort or filter it in place
            return ScreenResult(
                list(got.hits), dict(got.lists), got.algorithm, got.threshold, dict(got.query)
            )
        hits = self.matcher.search(query, limit=limit, threshold=thr, min_score=min_score)
        if query.lists:
            wanted = set(query.lists)
            hits = [h for h in hits if h.list_name in wanted]
        res = ScreenResult(
            hits,
            self._lists_used(query.lists),
            self.algorithm,
            thr,
            {"name": query.name, "schema": query.schema},
        )
        results.put(key, res)
        return res

    def screen_address(
        self, address: str, chain: str | None = None, lists: Sequence[str] = ()
    ) -> ScreenResult:
        self._check_lists(lists)
        matches = self.addresses.search(address, chain)
        wanted = set(lists)
        hits: list[Hit] = []
        seen: set[str] = set()
        for m in matches:
            e = m.entry
            if (wanted and e.list_name not in wanted) or e.entity_id in seen:
                continue
            seen.add(e.entity_id)
            hits.append(
                Hit(
                    entity_id=e.entity_id,
                    source_id=e.source_id,
                    list_name=e.list_name,
                    list_version=e.list_version,
                    schema=e.schema,
                    name=e.name,
                    score=1.0,
                    match=True,
                    explanation=m.explanation(address),
                    algorithm=ADDRESS_ALGORITHM,
                )
            )
        hits.sort(key=lambda h: h.entity_id)
        try:
            q = addr.normalize_address(address, chain).to_dict()
        except InputError:
            q = {"address": address, "chain": chain, "validated": False}
        return ScreenResult(hits, self._lists_used(lists), ADDRESS_ALGORITHM, 1.0, q)

    def screen_customer(self, c: Customer, *, limit: int = 10, lists: Sequence[str] = ()) -> list[Hit]:
        """Every hit on a customer: by name (with corroborating facts) and by each of its wallets.
        Hits below the threshold are not returned. An invalid customer wallet is reported as an
        explanation-only entry, not an error (the customer file is the provider's data)."""
        hits = self.matcher.search(customer_query(c, lists), limit=limit, threshold=self.threshold)
        hits = [h for h in hits if h.match and (not lists or h.list_name in lists)]
        for w in c.wallets:
            try:
                hits.extend(self.screen_address(w.address, w.chain or None, lists).hits)
            except InputError:
                try:  # the chain label may be wrong: try on any chain
                    hits.extend(self.screen_address(w.address, None, lists).hits)
                except InputError:
                    continue
        return hits


_CODE_DIGEST: str | None = None  # see _code_digest


def _code_digest() -> str:
    """A digest of the matcher's code, taken once, right after importing it: a process builds with
    the code it imported, even when the files change while it runs (the key must say so)."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        from rempart.domain import screening as pkg
        from rempart.domain.screening import index  # noqa: F401  (imports the whole matcher)

        h = hashlib.sha256()
        for p in [*sorted(Path(pkg.__path__[0]).glob("*.py")), Path(__file__)]:
            h.update(p.read_bytes())
        _CODE_DIGEST = h.hexdigest()
    return _CODE_DIGEST


def _current_shapes(s: Screener) -> bool:
    """Whether a loaded screener's name forms and tokens have every field of the classes this
    process runs (a pickle written by other code is rebuilt, not used)."""
    from rempart.domain.screening.normalize import NameForm, Token

    forms = getattr(s.matcher, "_forms", None)
    if not forms:
        return True
    form = forms[0]
    if not all(hasattr(form, f.name) for f in fields(NameForm)):
        return False
    return all(hasattr(t, f.name) for t in form.tokens[:1] for f in fields(Token))


def customer_query(c: Customer, lists: Sequence[str] = ()) -> NameQuery:
    from rempart.domain.lists import Identifier

    return NameQuery(
        name=c.name,
        schema="Person" if c.type == "person" else "Organization",
        alt_names=c.alt_names,
        birth_dates=(c.birth_date,) if c.birth_date else (),
        nationalities=c.nationalities or ((c.establishment_country,) if c.establishment_country else ()),
        identifiers=(Identifier("registration", c.registration_number, c.establishment_country),)
        if c.registration_number
        else (),
        lists=tuple(lists),
    )


def load_entries(
    store: Store, versions: Iterable[ListVersion], source_ids: Mapping[str, Sequence[str]] | None = None
) -> list[tuple[str, str, ListedEntity]]:
    """Read the entities of some list versions (all, or only `source_ids[list_name]`)."""
    out: list[tuple[str, str, ListedEntity]] = []
    with store.read() as conn:
        for v in versions:
            ids = None if source_ids is None else list(source_ids.get(v.list_name, ()))
            if ids is not None and not ids:
                continue
            out.extend((v.list_name, v.id, e) for e in lists_repo.iter_entities(conn, v.id, ids))
    return out


class ScreeningService:
    """The current `Screener` of a store. Thread-safe; a rebuild never blocks searches once warm."""

    def __init__(
        self,
        store: Store,
        *,
        threshold: float,
        matcher_factory: MatcherFactory = default_matcher_factory,
        check_interval: float = 5.0,
        cache_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.cache_dir = cache_dir
        self.threshold = threshold
        self.matcher_factory = matcher_factory
        self.check_interval = check_interval
        self._screener: Screener | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()
        self._building = False

    def _current_versions(self) -> list[ListVersion]:
        with self.store.read() as conn:
            return lists_repo.current_versions(conn)

    def build(self, versions: Sequence[ListVersion] | None = None) -> Screener:
        versions = list(versions if versions is not None else self._current_versions())
        cached = self._cache_path(versions)
        if cached is not None and cached.exists():
            try:
                with _no_gc(), cached.open("rb") as f:
                    s = pickle.load(f)
                if isinstance(s, Screener) and _current_shapes(s):
                    return s
                cached.unlink(missing_ok=True)  # written by other code than this process runs
            except Exception:  # a stale or broken cache file is rebuilt
                cached.unlink(missing_ok=True)
        entries = load_entries(self.store, versions)
        s = Screener(
            entries,
            {v.list_name: v.id for v in versions},
            threshold=self.threshold,
            matcher_factory=self.matcher_factory,
        )
        if cached is not None:
            cached.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            with tmp.open("wb") as f:
                pickle.dump(s, f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(cached)
            # and used as loaded from there: a screener read back in one pass lies compactly in
            # memory (the build leaves its objects scattered among freed ones), which the slowest
            # searches feel (single-name p99 2.6 ms, not 2.8-3.3)
            del s
            with _no_gc(), cached.open("rb") as f:
                loaded = pickle.load(f)
            assert isinstance(loaded, Screener)
            return loaded
        return s

    def _cache_path(self, versions: Sequence[ListVersion]) -> Path | None:
        """A pickled screener per (list versions, matcher code, threshold), in a private directory.
        Only for the default matcher: its code's hash is part of the key."""
        if self.cache_dir is None or self.matcher_factory is not default_matcher_factory:
            return None
        h = hashlib.sha256(_code_digest().encode())
        h.update(repr(sorted((v.list_name, v.id) for v in versions)).encode())
        h.update(repr(self.threshold).encode())
        return self.cache_dir / f"screener-{h.hexdigest()[:32]}.pickle"

    def warm_up(self) -> Screener:
        """Build the screener now (at start-up) so that the first request does not pay for it,
        nor the first name in each script (romanization tables are loaded on first use)."""
        s = self.screener()
        s.warm()
        return s

    def refresh(self) -> Screener:
        """Rebuild now if the list versions changed (call after an import)."""
        versions = self._current_versions()
        current = self._screener
        if current is not None and current.versions == {v.list_name: v.id for v in versions}:
            return current
        s = self.build(versions)
        with self._lock:
            self._screener = s
            self._checked_at = time.monotonic()
        return s

    def screener(self) -> Screener:
        s = self._screener
        if s is None:
            with self._lock:
                if self._screener is None:
                    self._screener = self.build()
                    self._checked_at = time.monotonic()
                return self._screener
        if time.monotonic() - self._checked_at > self.check_interval:
            self._checked_at = time.monotonic()
            self._maybe_rebuild_in_background(s)
        return s

    def _maybe_rebuild_in_background(self, s: Screener) -> None:
        versions = self._current_versions()
        if {v.list_name: v.id for v in versions} == s.versions or self._building:
            return
        self._building = True

        def run() -> None:
            try:
                new = self.build(versions)
                with self._lock:
                    self._screener = new
            finally:
                self._building = False

        threading.Thread(target=run, name="rempart-screener-rebuild", daemon=True).start()

    def screen_name(self, query: NameQuery, **kw: Any) -> ScreenResult:
        return self.screener().screen_name(query, **kw)

    def screen_address(
        self, address: str, chain: str | None = None, lists: Sequence[str] = ()
    ) -> ScreenResult:
        return self.screener().screen_address(address, chain, lists)
