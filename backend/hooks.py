"""Registries through which a higher app plugs into a lower one that must not import it (see the layers in
README.md): the lower app declares a hook and calls it; the higher app registers a callable from its
AppConfig.ready()."""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured


class Hook:
    """One callable a higher app provides. Without one, `default` answers (or, with none, calling is an error)."""

    def __init__(self, name: str, *, default: Callable | None = None, raises: bool = True):
        self.name = name
        self._default = default
        # False: what is registered catches the domain errors it meets, so a view's schema lists none of them.
        self.raises = raises
        self._function: Callable | None = None

    def register(self, function: Callable) -> Callable:
        self._function = function
        return function

    def callables(self) -> list[Callable]:
        """What a call can run (the API schema follows it to find the errors a view can raise)."""
        return [function for function in (self._function, self._default) if function is not None]

    def __call__(self, **kwargs):
        function = self._function or self._default
        if function is None:
            raise ImproperlyConfigured(f"Nothing is registered for the hook {self.name}.")
        return function(**kwargs)


class Receivers:
    """Callables told of an event, in the order they registered (the same one registered twice runs once)."""

    def __init__(self, name: str):
        self.name = name
        self._functions: list[Callable] = []

    def register(self, function: Callable) -> Callable:
        if function not in self._functions:
            self._functions.append(function)
        return function

    def callables(self) -> list[Callable]:
        return list(self._functions)

    def __call__(self, **kwargs) -> None:
        for function in self._functions:
            function(**kwargs)
