"""The bases of every dynamic provider and resource, and the rules they all follow.

- A provider object holds nothing: Pulumi pickles it into every resource's state (`__provider`), so a
  token kept on one would end up there. Its service's client is made inside each method, from the
  environment of that moment, and imported there too (declaring resources imports no HTTP library).
- Every method works on plain values: the engine's secret wrappers are taken off the properties on the
  way in, and the provider's `secret_outputs` are marked secret again on the way out.
- `diff` compares the declared `inputs` by one rule (`properties.changed`) and asks for a replacement
  only for those in `replace_on`, which the API cannot change in place.
- `read` of an object the API says does not exist reports it gone; `delete` of one succeeds.
- `create` is safe to retry (`create_or_adopt`): it looks for what an earlier attempt made first.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, TypeVar

import pulumi
import pulumi.dynamic
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from providers.core.errors import ApiError, NotFoundError
from providers.core.properties import changed, plain, secret, snake

T = TypeVar("T")


def gone() -> ReadResult:
    """What `read` returns for an object deleted outside Pulumi: the engine drops it from the state
    (an empty id means deleted; the outputs must still be a dict)."""
    return ReadResult("", {})


class Provider(pulumi.dynamic.ResourceProvider):
    """Base of every kind's provider. Subclasses declare their properties as class attributes."""

    # Nothing secret is ever inside the pickled provider, so the state may show it in the clear.
    serialize_as_secret_always = False

    # Inputs `diff` compares; a change of one in `replace_on` means a new object.
    inputs: ClassVar[tuple[str, ...]] = ()
    replace_on: ClassVar[tuple[str, ...]] = ()
    # List inputs whose order means nothing (compared sorted); every other list compares in order.
    unordered: ClassVar[tuple[str, ...]] = ()
    # Outputs the provider computes (the resource declares them, unknown until `up`).
    outputs: ClassVar[tuple[str, ...]] = ()
    # Properties stored encrypted: marked secret in what every method returns.
    secret_outputs: ClassVar[tuple[str, ...]] = ()
    # Two copies cannot coexist (one domain name, one project name): delete the old one first.
    delete_before_replace: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Wrapped here, once, so that no method of any kind can forget to unwrap a secret input (and send
        # the wrapper to an API), to re-mark a secret output, or to treat "not found" as gone.
        super().__init_subclass__(**kwargs)
        for name, wrap in (
            ("diff", _plain_arguments),
            ("create", _with_secret_outputs),
            ("read", _gone_when_not_found),
            ("update", _with_secret_outputs),
            ("delete", _done_when_not_found),
        ):
            if name in cls.__dict__:
                setattr(cls, name, functools.wraps(cls.__dict__[name])(wrap(cls.__dict__[name])))

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        # The inputs go back as they came: unwrapped here, a secret input would be stored unencrypted.
        return CheckResult(news, self.check_inputs(plain(news)))

    def check_inputs(self, news: dict[str, Any]) -> list[CheckFailure]:
        """What is wrong with the (plain) new inputs, before any call to the API."""
        return []

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return self.diff_of(plain(olds), plain(news))

    def diff_of(self, olds: Mapping[str, Any], news: Mapping[str, Any]) -> DiffResult:
        differing = self.changed(olds, news)
        replaces = [key for key in differing if key in self.replace_on]
        return DiffResult(
            changes=bool(differing),
            replaces=replaces,
            delete_before_replace=self.delete_before_replace if replaces else None,
        )

    def changed(
        self, olds: Mapping[str, Any], news: Mapping[str, Any], keys: tuple[str, ...] | None = None
    ) -> list[str]:
        """The inputs (or `keys`) that differ between `olds` and `news`."""
        return changed(olds, news, self.inputs if keys is None else keys, self.unordered)

    def given(self, props: Mapping[str, Any]) -> dict[str, Any]:
        """The declared inputs of `props`, as they go back into the state."""
        return {key: props.get(key) for key in self.inputs}

    def mark_secrets(self, outs: Mapping[str, Any] | None) -> dict[str, Any]:
        return {key: secret(value) if key in self.secret_outputs else value for key, value in (outs or {}).items()}


def _plain_arguments(method: Callable[..., T]) -> Callable[..., T]:
    def wrapper(self: Provider, *args: Any) -> T:
        return method(self, *(plain(arg) for arg in args))

    return wrapper


def _with_secret_outputs(method: Callable[..., CreateResult | UpdateResult]) -> Callable[..., Any]:
    def wrapper(self: Provider, *args: Any) -> CreateResult | UpdateResult:
        result = method(self, *(plain(arg) for arg in args))
        result.outs = self.mark_secrets(result.outs)
        return result

    return wrapper


def _gone_when_not_found(method: Callable[..., ReadResult]) -> Callable[..., ReadResult]:
    def wrapper(self: Provider, *args: Any) -> ReadResult:
        try:
            result = method(self, *(plain(arg) for arg in args))
        except NotFoundError:
            return gone()
        if result.id:
            result.outs = self.mark_secrets(result.outs)
        return result

    return wrapper


def _done_when_not_found(method: Callable[..., None]) -> Callable[..., None]:
    def wrapper(self: Provider, *args: Any) -> None:
        try:
            method(self, *(plain(arg) for arg in args))
        except NotFoundError:
            return

    return wrapper


class Origin(enum.Enum):
    """Where the object `create_or_adopt` returns comes from."""

    FOUND = "there before this create"
    CREATED = "made by this create"
    RECOVERED = "made by this create, whose answer was lost"


def create_or_adopt(
    find: Callable[[], dict[str, Any] | None],
    create: Callable[[], dict[str, Any]],
    *,
    what: str,
    repeat_after_lost_answer: bool = True,
) -> tuple[dict[str, Any], Origin]:
    """Look, then create. A create retried after an earlier failed `pulumi up` adopts what that attempt
    left; a create whose answer was lost (`ApiError.ambiguous`) looks again, then either creates once
    more or, where a second object would be costly (`repeat_after_lost_answer=False`), stops and says
    that running `pulumi up` again is safe."""
    existing = find()
    if existing is not None:
        return existing, Origin.FOUND
    try:
        return create(), Origin.CREATED
    except ApiError as error:
        if not error.ambiguous:
            raise
        lost = error
    existing = find()
    if existing is not None:
        return existing, Origin.RECOVERED
    if not repeat_after_lost_answer:
        raise ApiError(
            lost.api,
            lost.operation,
            f"{lost.api_message}; no {what} exists yet, so `pulumi up` again is safe (it looks for it before "
            "creating one)",
            status=lost.status,
        ) from lost
    return create(), Origin.CREATED


class Resource(pulumi.dynamic.Resource):
    """Base of every kind's resource: the properties are the args' (camelCase) plus the provider's
    outputs, the provider's `secret_outputs` are stored encrypted, and every property is also an
    attribute under its snake_case name (`resource.dns_records` for `dnsRecords`)."""

    def __init__(
        self,
        provider: Provider,
        resource_name: str,
        inputs: Mapping[str, Any],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = dict(inputs)
        for key in provider.outputs:
            props.setdefault(key, None)
        if provider.secret_outputs:
            secrets = pulumi.ResourceOptions(additional_secret_outputs=list(provider.secret_outputs))
            opts = pulumi.ResourceOptions.merge(secrets, opts)
        super().__init__(provider, resource_name, props, opts)
        for key in props:
            self.__dict__.setdefault(snake(key), self.__dict__[key])
