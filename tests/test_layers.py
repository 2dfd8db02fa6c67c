"""The apps' import direction. import-linter (`.importlinter`, run by `.ci/run`) checks that apps import
downwards only; what it cannot see is an import of another app placed inside a function so that a cycle still
loads. This finds those."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = (
    "accounts",
    "backend",
    "bookings",
    "demo_data",
    "facilities",
    "memberships",
    "notifications",
    "payments",
    "reimbursements",
)


def _imported(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        return [node.module]
    return []


def function_level_imports(source: str, *, package: str) -> list[tuple[int, str]]:
    """(line, module) of every import of another project package made inside a function or class body."""
    found = []

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if nested:
                for module in _imported(child):
                    top = module.split(".")[0]
                    if top in PROJECT_PACKAGES and top != package:
                        found.append((child.lineno, module))
            visit(child, nested or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)))

    visit(ast.parse(source), False)
    return found


def test_no_app_imports_another_inside_a_function():
    offences = []
    for package in PROJECT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line, module in function_level_imports(path.read_text(encoding="utf-8"), package=package):
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offences == []


def test_the_check_sees_imports_hidden_in_functions_and_methods():
    source = (
        "from facilities.models import Unit\n"  # module level: import-linter's business
        "def book():\n"
        "    from payments.services import payment_start\n"
        "    import reimbursements.selectors\n"
        "    from . import selectors\n"  # the app's own modules may load late
        "    from bookings import hooks\n"  # so may its own package by name
        "class Config:\n"
        "    def ready(self):\n"
        "        from facilities import hooks\n"
    )
    assert function_level_imports(source, package="bookings") == [
        (3, "payments.services"),
        (4, "reimbursements.selectors"),
        (9, "facilities"),
    ]
