"""The ``vial`` command (vial.cli): app discovery, run, routes, shell, app commands, dotenv."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import typing as t
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from vial import Vial, current_app, g, has_app_context
from vial.blueprints import Blueprint
from vial.cli import (
    AppGroup,
    NoAppException,
    ScriptInfo,
    VialGroup,
    cli,
    find_best_app,
    get_debug_flag,
    load_dotenv,
    locate_app,
    prepare_import,
    with_appcontext,
)
from vial.testing import VialCliRunner

APP_SOURCE = """\
from vial import Vial

app = Vial(__name__)

@app.route("/")
def index():
    return "hello"

@app.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id):
    return str(user_id)

@app.cli.command("greet")
def greet():
    import click
    from vial import current_app
    click.echo(f"greetings from {current_app.name}")
"""


@pytest.fixture(autouse=True)
def _isolate(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Each test in its own folder, with os.environ, sys.path and sys.modules restored."""
    for name in ("VIAL_APP", "VIAL_DEBUG", "VIAL_RUN_FROM_CLI", "VIAL_SKIP_DOTENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    saved_environ = dict(os.environ)
    saved_path = list(sys.path)
    saved_modules = set(sys.modules)
    yield
    assert not has_app_context(), "a command left its app context pushed"
    os.environ.clear()
    os.environ.update(saved_environ)
    sys.path[:] = saved_path
    for name in set(sys.modules) - saved_modules:
        del sys.modules[name]


def write(path: Path, source: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return path


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


# -- prepare_import and locate_app ----------------------------------------------------------


def test_prepare_import_file_package_and_name(tmp_path: Path) -> None:
    write(tmp_path / "hello.py", "")
    assert prepare_import("hello.py") == "hello"
    assert sys.path[0] == str(tmp_path.resolve())
    write(tmp_path / "pkg" / "__init__.py", "")
    write(tmp_path / "pkg" / "sub" / "__init__.py", "")
    write(tmp_path / "pkg" / "sub" / "mod.py", "")
    assert prepare_import("pkg/sub/mod.py") == "pkg.sub.mod"
    assert prepare_import("pkg/sub/__init__.py") == "pkg.sub"
    assert prepare_import("pkg/sub") == "pkg.sub"
    write(tmp_path / "src" / "inner.py", "")
    assert prepare_import("src/inner.py") == "inner"
    assert sys.path[0] == str((tmp_path / "src").resolve())
    assert prepare_import("hello.web") == "hello.web"


@pytest.mark.parametrize("attr", ["app", "application", "something_else"])
def test_find_best_app_by_variable(tmp_path: Path, attr: str) -> None:
    write(tmp_path / f"mod_{attr}.py", f"from vial import Vial\n{attr} = Vial(__name__)\n")
    app = locate_app(prepare_import(f"mod_{attr}.py"), None)
    assert isinstance(app, Vial)
    assert app.import_name == f"mod_{attr}"


def test_app_variable_wins_over_other_instances(tmp_path: Path) -> None:
    write(
        tmp_path / "two.py",
        """\
        from vial import Vial
        other = Vial("other")
        app = Vial("main")
        """,
    )
    assert locate_app(prepare_import("two.py"), None).import_name == "main"


@pytest.mark.parametrize("factory", ["create_app", "make_app"])
def test_find_best_app_by_factory(tmp_path: Path, factory: str) -> None:
    write(
        tmp_path / f"fact_{factory}.py",
        f"""\
        from vial import Vial

        def {factory}():
            app = Vial("made")
            app.config["MADE_BY"] = "{factory}"
            return app
        """,
    )
    app = locate_app(prepare_import(f"fact_{factory}.py"), None)
    assert app.config["MADE_BY"] == factory


def test_multiple_apps_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "many.py", "from vial import Vial\na1 = Vial('a1')\na2 = Vial('a2')\n")
    with pytest.raises(NoAppException, match=r"Detected multiple vial applications.*'many:name'"):
        locate_app(prepare_import("many.py"), None)
    assert locate_app("many", "a2").import_name == "a2"


def test_no_app_in_module_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "empty_mod.py", "x = 1\n")
    with pytest.raises(NoAppException, match="Failed to find a vial application or factory"):
        locate_app(prepare_import("empty_mod.py"), None)


def test_factory_needing_arguments(tmp_path: Path) -> None:
    write(
        tmp_path / "needs_args.py",
        """\
        from vial import Vial

        def create_app(config_name, debug=False):
            app = Vial("args")
            app.config.update(NAME=config_name, FLAG=debug)
            return app
        """,
    )
    module_name = prepare_import("needs_args.py")
    with pytest.raises(NoAppException, match=r"could not call it without arguments.*\(args\)"):
        locate_app(module_name, None)
    app = locate_app(module_name, "create_app('dev', debug=True)")
    assert (app.config["NAME"], app.config["FLAG"]) == ("dev", True)
    app = locate_app(module_name, ' create_app("x") ')
    assert app.config["NAME"] == "x"
    with pytest.raises(NoAppException, match="could not be called with the specified"):
        locate_app(module_name, "create_app(1, 2, 3)")


def test_factory_type_error_inside_propagates(tmp_path: Path) -> None:
    write(
        tmp_path / "bad_factory.py",
        """\
        def create_app():
            return len(5)
        """,
    )
    with pytest.raises(TypeError, match="has no len"):
        locate_app(prepare_import("bad_factory.py"), None)
    with pytest.raises(TypeError, match="has no len"):
        locate_app("bad_factory", "create_app()")


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("create_app(os.environ)", "Failed to parse arguments as literal values"),
        ("create_app(**{'a': 1})", "Failed to parse arguments as literal values"),
        ("app[0]", "Failed to parse 'app\\[0\\]' as an attribute name or function call"),
        ("app(", "as an attribute name or function call"),
        ("obj.method()", "as an attribute name or function call"),
        ("missing", "Failed to find attribute 'missing' in 'exprs'"),
        ("not_an_app", "A valid vial application was not obtained from 'exprs:not_an_app'"),
        ("returns_none()", "A valid vial application was not obtained"),
    ],
)
def test_find_app_by_string_errors(tmp_path: Path, expression: str, message: str) -> None:
    write(
        tmp_path / "exprs.py",
        """\
        from vial import Vial
        app = [Vial("x")]
        not_an_app = 42
        def create_app(arg=None):
            return Vial("y")
        def returns_none():
            return None
        """,
    )
    with pytest.raises(NoAppException, match=message):
        locate_app(prepare_import("exprs.py"), expression)


def test_module_not_found() -> None:
    with pytest.raises(NoAppException, match="Could not import 'no_such_module_here'"):
        locate_app("no_such_module_here", None)
    assert locate_app("no_such_module_here", None, raise_if_not_found=False) is None


def test_syntax_error_is_one_paragraph(tmp_path: Path) -> None:
    write(tmp_path / "broken.py", "from vial import Vial\napp = Vial(__name__)\ndef index(:\n")
    with pytest.raises(NoAppException) as info:
        locate_app(prepare_import("broken.py"), None)
    message = info.value.format_message()
    assert "Could not import 'broken'" in message
    assert "SyntaxError" in message
    assert "broken.py, line 3" in message
    assert "def index(:" in message
    assert "Traceback" not in message


def test_import_error_inside_module(tmp_path: Path) -> None:
    write(tmp_path / "imports_missing.py", "import os\nimport not_installed_pkg_xyz\n")
    with pytest.raises(NoAppException) as info:
        locate_app(prepare_import("imports_missing.py"), None, raise_if_not_found=False)
    message = info.value.format_message()
    assert "While importing 'imports_missing', an ImportError was raised" in message
    assert "imports_missing.py, line 2" in message
    assert "No module named 'not_installed_pkg_xyz'" in message
    assert "Traceback" not in message


def test_exception_in_module_body(tmp_path: Path) -> None:
    write(tmp_path / "raises.py", "x = 1\nraise RuntimeError('config missing')\n")
    with pytest.raises(NoAppException) as info:
        locate_app(prepare_import("raises.py"), None)
    message = info.value.format_message()
    assert "RuntimeError: config missing" in message
    assert "raises.py, line 2" in message


# -- ScriptInfo ----------------------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["app.py", "wsgi.py"])
def test_script_info_finds_default_files(tmp_path: Path, filename: str) -> None:
    write(tmp_path / filename, APP_SOURCE)
    info = ScriptInfo()
    app = info.load_app()
    assert app.import_name == filename[:-3]
    assert info.load_app() is app
    assert info.found_import_path == filename


def test_script_info_prefers_wsgi_py(tmp_path: Path) -> None:
    write(tmp_path / "app.py", "from vial import Vial\napp = Vial('from_app')\n")
    write(tmp_path / "wsgi.py", "from vial import Vial\napp = Vial('from_wsgi')\n")
    assert ScriptInfo().load_app().import_name == "from_wsgi"


def test_script_info_without_app() -> None:
    with pytest.raises(NoAppException, match="Could not locate a vial application"):
        ScriptInfo().load_app()


def test_script_info_import_path_and_create_app(tmp_path: Path) -> None:
    write(tmp_path / "pkg" / "__init__.py", "")
    write(tmp_path / "pkg" / "web.py", "from vial import Vial\nmain_app = Vial('web')\n")
    assert ScriptInfo("pkg.web:main_app").load_app().import_name == "web"
    assert ScriptInfo("pkg/web.py").load_app().import_name == "web"
    made = Vial("made")
    assert ScriptInfo(create_app=lambda: made).load_app() is made


def test_script_info_debug_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "dbg.py", "from vial import Vial\napp = Vial(__name__)\napp.debug = True\n")
    # The app's own setting stands when VIAL_DEBUG is not set at all.
    assert ScriptInfo("dbg").load_app().debug is True
    del sys.modules["dbg"]
    monkeypatch.setenv("VIAL_DEBUG", "0")
    assert ScriptInfo("dbg").load_app().debug is False
    del sys.modules["dbg"]
    assert ScriptInfo("dbg", set_debug_flag=False).load_app().debug is True


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("yes", True), ("0", False), ("False", False), ("", False)],
)
def test_get_debug_flag(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("VIAL_DEBUG", value)
    assert get_debug_flag() is expected


def test_find_best_app_ignores_factories_that_are_not_functions(tmp_path: Path) -> None:
    write(tmp_path / "cls_factory.py", "class create_app:\n    pass\n")
    with pytest.raises(NoAppException, match="Failed to find"):
        find_best_app(__import__(prepare_import("cls_factory.py")))


# -- the vial group ------------------------------------------------------------------------------


def test_routes_command(tmp_path: Path, runner: CliRunner) -> None:
    write(tmp_path / "routes_app.py", APP_SOURCE)
    result = runner.invoke(cli, ["--app", "routes_app", "routes"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Endpoint", "Methods", "Rule"]
    assert set(lines[1]) <= {"-", " "}
    body = [line.split(None, 1)[0] for line in lines[2:]]
    assert body == ["index", "static", "user"]  # sorted by endpoint
    assert "GET, POST" in result.output
    assert "HEAD" not in result.output and "OPTIONS" not in result.output
    assert "/users/<int:user_id>" in result.output


def test_routes_sorting_and_all_methods(tmp_path: Path, runner: CliRunner) -> None:
    write(tmp_path / "routes_app.py", APP_SOURCE)

    def endpoints(*args: str) -> list[str]:
        result = runner.invoke(cli, ["--app", "routes_app", "routes", *args])
        assert result.exit_code == 0, result.output
        return [line.split()[0] for line in result.output.splitlines()[2:]]

    assert endpoints("--sort", "rule") == ["index", "static", "user"]
    assert endpoints("-s", "match") == ["static", "index", "user"]  # registration order
    assert endpoints("-s", "methods") == ["static", "index", "user"]  # stable sort
    result = runner.invoke(cli, ["--app", "routes_app", "routes", "--all-methods"])
    assert "GET, HEAD, OPTIONS, POST" in result.output
    result = runner.invoke(cli, ["--app", "routes_app", "routes", "--sort", "bogus"])
    assert result.exit_code == 2


def test_routes_with_subdomains_and_no_routes(runner: CliRunner) -> None:
    app = Vial("sub_app", static_folder=None, subdomain_matching=True)
    app.config["SERVER_NAME"] = "example.test"
    result = app.test_cli_runner().invoke(VialGroup(create_app=lambda: app), ["routes"])
    assert result.output.strip() == "No routes were registered."

    @app.route("/", subdomain="api")
    def api() -> str:
        return ""

    result = app.test_cli_runner().invoke(VialGroup(create_app=lambda: app), ["routes"])
    assert result.output.splitlines()[0].split() == ["Endpoint", "Methods", "Subdomain", "Rule"]
    assert result.output.splitlines()[2].split() == ["api", "GET", "api", "/"]


def test_app_command_via_vial_app_variable(
    tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "envapp.py", APP_SOURCE)
    monkeypatch.setenv("VIAL_APP", "envapp")
    result = runner.invoke(cli, ["greet"])
    assert result.exit_code == 0, result.output
    assert result.output == "greetings from envapp\n"


def test_default_discovery_lists_app_commands(tmp_path: Path, runner: CliRunner) -> None:
    write(tmp_path / "app.py", APP_SOURCE)
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in ("greet", "routes", "run", "shell"):
        assert name in result.output
    assert runner.invoke(cli, ["greet"]).output == "greetings from app\n"


def test_no_args_shows_help_with_app_commands(tmp_path: Path, runner: CliRunner) -> None:
    write(tmp_path / "app.py", APP_SOURCE)
    result = runner.invoke(cli, [])
    assert "Usage:" in result.output and "greet" in result.output


def test_syntax_error_via_cli(tmp_path: Path, runner: CliRunner) -> None:
    write(tmp_path / "broken.py", "from vial import Vial\napp = Vial(__name__)\ndef index(:\n")
    result = runner.invoke(cli, ["--app", "broken", "routes"])
    assert result.exit_code == 2
    assert "Error: Could not import 'broken': SyntaxError" in result.output
    assert "Traceback" not in result.output
    # An unknown command reports the app problem, then the unknown command.
    result = runner.invoke(cli, ["--app", "broken", "greet"])
    assert result.exit_code == 2
    assert result.output.count("SyntaxError") == 1
    assert "No such command 'greet'" in result.output
    # Help still works, listing the built-in commands after the error.
    result = runner.invoke(cli, ["--app", "broken", "--help"])
    assert result.exit_code == 0
    assert "SyntaxError" in result.output and "routes" in result.output


def test_no_app_via_cli(tmp_path: Path, runner: CliRunner) -> None:
    result = runner.invoke(cli, ["routes"])
    assert result.exit_code == 2
    assert "Could not locate a vial application" in result.output
    assert "VIAL_APP" in result.output
    write(tmp_path / "noapp.py", "value = 1\n")
    result = runner.invoke(cli, ["--app", "noapp", "routes"])
    assert result.exit_code == 2
    assert "Failed to find a vial application or factory in module 'noapp'" in result.output


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from vial import Vial\napp = Vial(__name__)\ndef index(:\n", "SyntaxError"),
        ("import not_installed_pkg_xyz\n", "an ImportError was raised"),
        ("x = 1\n", "Failed to find a vial application"),
    ],
)
def test_real_command_bad_app_exits_without_traceback(
    tmp_path: Path, source: str, expected: str
) -> None:
    write(tmp_path / "target.py", source)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIAL_")}
    process = subprocess.run(
        [sys.executable, "-m", "vial", "--app", "target", "routes"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode != 0
    assert expected in process.stderr
    assert "Traceback" not in process.stderr + process.stdout
    assert len(process.stderr.strip().splitlines()) <= 6


def test_version_option(runner: CliRunner) -> None:
    import vial

    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert f"Vial {vial.__version__}" in result.output
    assert "Python " in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [([], False), (["--debug"], True), (["--no-debug"], False)],
)
def test_debug_option(tmp_path: Path, runner: CliRunner, args: list[str], expected: bool) -> None:
    write(
        tmp_path / "dbgcmd.py",
        """\
        import click
        from vial import Vial, current_app
        app = Vial(__name__)
        @app.cli.command()
        def show():
            click.echo(f"debug={current_app.debug}")
        """,
    )
    result = runner.invoke(cli, ["--app", "dbgcmd", *args, "show"])
    assert result.output == f"debug={expected}\n"


# -- app commands, AppGroup, with_appcontext, blueprints -----------------------------------------


def test_app_cli_command_in_app_context() -> None:
    app = Vial("cmd_app")
    app.config["GREETING"] = "hi"

    @app.cli.command()
    @click.argument("name")
    def hello(name: str) -> None:
        g.seen = True
        click.echo(f"{current_app.config['GREETING']} {name}")

    @app.cli.command
    def bare() -> None:
        click.echo(current_app.name)

    runner = app.test_cli_runner()
    assert isinstance(runner, VialCliRunner)
    result = runner.invoke(args=["hello", "ann"])
    assert result.exit_code == 0, result.output
    assert result.output == "hi ann\n"
    assert runner.invoke(args=["bare"]).output == "cmd_app\n"
    assert isinstance(app.cli, AppGroup)
    assert app.cli.name == "cmd_app"


def test_command_without_app_context() -> None:
    app = Vial("noctx_app")

    @app.cli.command(with_appcontext=False)
    def outside() -> None:
        click.echo(f"has app: {bool(current_app)}")

    assert app.test_cli_runner().invoke(args=["outside"]).output == "has app: False\n"


def test_app_group_subgroups() -> None:
    app = Vial("groups_app")

    @app.cli.group()
    def db() -> None:
        """Database commands."""

    assert isinstance(db, AppGroup)

    @db.command()
    def init() -> None:
        click.echo(f"init {current_app.name}")

    result = app.test_cli_runner().invoke(args=["db", "init"])
    assert result.output == "init groups_app\n"


def test_with_appcontext_on_plain_click_command() -> None:
    app = Vial("plain_app")

    @click.command()
    @with_appcontext
    def plain() -> None:
        click.echo(current_app.name)

    result = CliRunner().invoke(plain, obj=ScriptInfo(create_app=lambda: app))
    assert result.output == "plain_app\n"


def test_teardown_runs_after_command() -> None:
    app = Vial("teardown_app")
    torn: list[object] = []
    app.teardown_appcontext(torn.append)

    @app.cli.command()
    def noop() -> None:
        pass

    assert app.test_cli_runner().invoke(args=["noop"]).exit_code == 0
    assert torn == [None]


def test_blueprint_command_groups() -> None:
    app = Vial("bp_cli_app")
    default = Blueprint("users", __name__)
    custom = Blueprint("things", __name__, cli_group="stuff")
    merged = Blueprint("merged", __name__, cli_group=None)
    silent = Blueprint("silent", __name__)

    @default.cli.command("create")
    def create_user() -> None:
        click.echo(f"user created in {current_app.name}")

    @custom.cli.command("count")
    def count() -> None:
        click.echo("3 things")

    @merged.cli.command("top")
    def top() -> None:
        click.echo("top level")

    app.register_blueprint(default)
    app.register_blueprint(custom)
    app.register_blueprint(merged)
    app.register_blueprint(silent)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "create"]).output == "user created in bp_cli_app\n"
    assert runner.invoke(args=["stuff", "count"]).output == "3 things\n"
    assert runner.invoke(args=["top"]).output == "top level\n"
    assert "silent" not in app.cli.commands
    assert "things" not in app.cli.commands


def test_blueprint_cli_group_at_registration() -> None:
    app = Vial("bp_cli_app2")
    bp = Blueprint("admin", __name__)

    @bp.cli.command()
    def stats() -> None:
        click.echo("stats")

    app.register_blueprint(bp, cli_group="manage")
    assert app.test_cli_runner().invoke(args=["manage", "stats"]).output == "stats\n"


def test_test_cli_runner_class() -> None:
    class MyRunner(VialCliRunner):
        pass

    app = Vial("runner_app")
    app.test_cli_runner_class = MyRunner
    runner = app.test_cli_runner()
    assert isinstance(runner, MyRunner)
    assert runner.app is app


def test_test_cli_runner_keeps_debug() -> None:
    app = Vial("keep_debug_app")
    app.debug = True

    @app.cli.command()
    def show() -> None:
        click.echo(str(current_app.debug))

    assert app.test_cli_runner().invoke(args=["show"]).output == "True\n"


def test_custom_vial_group_with_create_app(runner: CliRunner) -> None:
    app = Vial("custom_group_app")

    @app.cli.command()
    def ping() -> None:
        click.echo("pong")

    group = VialGroup(create_app=lambda: app, name="manage")
    assert runner.invoke(group, ["ping"]).output == "pong\n"
    no_defaults = VialGroup(create_app=lambda: app, add_default_commands=False)
    assert "run" not in runner.invoke(no_defaults, ["--help"]).output


# -- shell ---------------------------------------------------------------------------------------


def test_shell_runs_stdin_in_app_context() -> None:
    app = Vial("shell_app")

    @app.shell_context_processor
    def extra() -> dict[str, t.Any]:
        return {"answer": 42}

    group = VialGroup(create_app=lambda: app)
    result = CliRunner().invoke(
        group,
        ["shell"],
        input="print(app.name, answer, g is not None)\nfrom vial import current_app\n"
        "print(current_app.name)\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output == "shell_app 42 True\nshell_app\n"


def test_make_shell_context() -> None:
    app = Vial("ctx_app")
    app.shell_context_processor(lambda: {"db": "database"})
    namespace = app.make_shell_context()
    assert namespace["app"] is app
    assert namespace["db"] == "database"
    assert "g" in namespace


def test_shell_pythonstartup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    startup = write(tmp_path / "startup.py", "FROM_STARTUP = 'yes'\n")
    monkeypatch.setenv("PYTHONSTARTUP", str(startup))
    app = Vial("startup_app")
    result = CliRunner().invoke(
        VialGroup(create_app=lambda: app), ["shell"], input="print(FROM_STARTUP)\n"
    )
    assert result.output == "yes\n"


# -- dotenv --------------------------------------------------------------------------------------


def test_dotenv_files(tmp_path: Path, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dotenv")
    write(tmp_path / ".vialenv", "VIAL_APP=envfile_app\nFROM_VIALENV=1\nSHARED=vialenv\n")
    write(tmp_path / ".env", "SHARED=env\nALREADY=from-file\n")
    write(
        tmp_path / "envfile_app.py",
        """\
        import click, os
        from vial import Vial
        app = Vial(__name__)
        @app.cli.command()
        def show():
            names = ("FROM_VIALENV", "SHARED", "ALREADY")
            click.echo(" ".join(os.environ[n] for n in names))
        """,
    )
    monkeypatch.setenv("ALREADY", "from-environ")
    result = runner.invoke(cli, ["show"])
    assert result.exit_code == 0, result.output
    assert result.output == "1 env from-environ\n"


def test_env_file_option(tmp_path: Path, runner: CliRunner) -> None:
    pytest.importorskip("dotenv")
    write(tmp_path / ".env", "CHOICE=default\nONLY_DEFAULT=1\n")
    write(tmp_path / "custom.env", "CHOICE=custom\n")
    write(
        tmp_path / "app.py",
        """\
        import click, os
        from vial import Vial
        app = Vial(__name__)
        @app.cli.command()
        def show():
            click.echo(os.environ["CHOICE"] + " " + os.environ.get("ONLY_DEFAULT", "-"))
        """,
    )
    assert runner.invoke(cli, ["--env-file", "custom.env", "show"]).output == "custom 1\n"
    result = runner.invoke(cli, ["-e", "missing.env", "show"])
    assert result.exit_code == 2


def test_skip_dotenv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dotenv")
    write(tmp_path / ".env", "SKIPPED_VALUE=1\n")
    monkeypatch.setenv("VIAL_SKIP_DOTENV", "1")
    app = Vial("skip_app")

    @app.cli.command()
    def show() -> None:
        click.echo(os.environ.get("SKIPPED_VALUE", "unset"))

    assert CliRunner().invoke(VialGroup(create_app=lambda: app), ["show"]).output == "unset\n"


def test_load_dotenv_function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("dotenv")
    monkeypatch.delenv("LOADED_A", raising=False)
    monkeypatch.delenv("LOADED_B", raising=False)
    write(tmp_path / "sub" / "x.env", "LOADED_A=a\n")
    write(tmp_path / ".env", "LOADED_B=b\n")
    assert load_dotenv("sub/x.env", load_defaults=False) is True
    assert os.environ["LOADED_A"] == "a"
    assert "LOADED_B" not in os.environ
    assert load_dotenv() is True
    assert os.environ["LOADED_B"] == "b"
    assert load_dotenv("nonexistent.env", load_defaults=False) is False


def test_load_dotenv_without_python_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "dotenv", None)
    write(tmp_path / ".env", "X=1\n")
    assert load_dotenv() is False
    assert "Install python-dotenv" in capsys.readouterr().err
    result = CliRunner().invoke(cli, ["--env-file", ".env", "routes"])
    assert result.exit_code == 2
    assert "python-dotenv must be installed" in result.output


# -- run and app.run (the server itself is mocked; test_cli_run.py starts a real one) ------------


@pytest.fixture
def uvicorn_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[t.Any, dict[str, t.Any]]]:
    import uvicorn

    calls: list[tuple[t.Any, dict[str, t.Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **kw: calls.append((target, kw)))
    return calls


def test_run_command_single_process(
    tmp_path: Path, runner: CliRunner, uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]]
) -> None:
    write(tmp_path / "served.py", APP_SOURCE)
    result = runner.invoke(cli, ["--app", "served", "run", "--port", "8123", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert "Serving vial app 'served'" in result.output
    assert "Debug mode: off" in result.output
    assert "http://0.0.0.0:8123" in result.output
    ((target, options),) = uvicorn_calls
    assert target is sys.modules["served"].app.asgi
    assert (options["host"], options["port"]) == ("0.0.0.0", 8123)
    assert "reload" not in options


def test_run_command_debug_reloads_through_import_string(
    tmp_path: Path, runner: CliRunner, uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]]
) -> None:
    write(tmp_path / "served.py", APP_SOURCE)
    result = runner.invoke(cli, ["--app", "served", "run", "--debug"])
    assert result.exit_code == 0, result.output
    assert "Debug mode: on" in result.output
    ((target, options),) = uvicorn_calls
    assert target == "vial.serving:load_app_for_server"
    assert options["factory"] is True
    assert options["reload"] is True
    assert options["workers"] is None
    assert os.getcwd() in options["reload_dirs"]
    assert (os.environ["VIAL_APP"], os.environ["VIAL_DEBUG"]) == ("served", "1")
    # The factory loads the same app in a server process.
    del sys.modules["served"]
    from vial.serving import load_app_for_server

    asgi = load_app_for_server()
    assert asgi.app.debug is True
    assert asgi.app.import_name == "served"


def test_run_command_group_debug_and_no_reload(
    tmp_path: Path, runner: CliRunner, uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]]
) -> None:
    write(tmp_path / "app.py", APP_SOURCE)
    result = runner.invoke(cli, ["--debug", "run", "--no-reload"])
    assert result.exit_code == 0, result.output
    ((target, _),) = uvicorn_calls
    assert target is sys.modules["app"].app.asgi
    assert target.app.debug is True


def test_run_command_workers(
    tmp_path: Path, runner: CliRunner, uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]]
) -> None:
    write(tmp_path / "app.py", APP_SOURCE)
    result = runner.invoke(cli, ["run", "--workers", "3", "--debug"])
    assert result.exit_code == 0, result.output
    ((target, options),) = uvicorn_calls
    assert target == "vial.serving:load_app_for_server"
    assert (options["workers"], options["reload"]) == (3, False)
    assert os.environ["VIAL_APP"] == "app.py"
    result = runner.invoke(cli, ["run", "--workers", "2", "--reload"])
    assert result.exit_code == 2
    assert "--reload" in result.output
    assert runner.invoke(cli, ["run", "--workers", "0"]).exit_code == 2


def test_run_command_with_create_app_cannot_reload(
    runner: CliRunner, uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]]
) -> None:
    app = Vial("factory_only")
    result = runner.invoke(VialGroup(create_app=lambda: app), ["run", "--reload"])
    assert result.exit_code == 0, result.output
    assert "Cannot reload" in result.output
    ((target, _),) = uvicorn_calls
    assert target is app.asgi


def test_app_run_options(
    tmp_path: Path, uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]]
) -> None:
    write(tmp_path / "runmod.py", "from vial import Vial\nmy_app = Vial(__name__)\n")
    module = __import__(prepare_import("runmod.py"))
    app: Vial = module.my_app
    app.run(port=8001, use_debugger=True, threaded=True, log_level="warning")
    target, options = uvicorn_calls.pop()
    assert target is app.asgi
    assert (options["host"], options["port"], options["log_level"]) == (
        "127.0.0.1",
        8001,
        "warning",
    )
    app.run(debug=True)
    target, options = uvicorn_calls.pop()
    assert target == "vial.serving:load_app_for_server"
    assert options["reload"] is True
    assert os.environ["VIAL_APP"] == "runmod:my_app"
    app.run(debug=True, use_reloader=False)
    assert uvicorn_calls.pop()[0] is app.asgi
    app.config["SERVER_NAME"] = "localhost:9001"
    app.debug = False
    app.run()
    target, options = uvicorn_calls.pop()
    assert (options["host"], options["port"]) == ("localhost", 9001)


@pytest.mark.parametrize(
    ("host", "port", "server_name", "expected"),
    [
        (None, None, "pocoo.org:8080", ("pocoo.org", 8080)),
        ("localhost", None, "pocoo.org:8080", ("localhost", 8080)),
        (None, 80, "pocoo.org:8080", ("pocoo.org", 80)),
        ("localhost", 0, "localhost:8080", ("localhost", 0)),
        (None, None, "localhost:0", ("localhost", 0)),
        (None, None, "localhost", ("localhost", 5000)),
    ],
)
def test_app_run_host_and_port_from_server_name(
    host: str | None,
    port: int | None,
    server_name: str,
    expected: tuple[str, int],
    uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]],
) -> None:
    # An explicit port, 0 (any free port) included, wins over SERVER_NAME's, as in Flask.
    app = Vial("run_from_config")
    app.config["SERVER_NAME"] = server_name
    app.run(host, port)
    ((_, options),) = uvicorn_calls
    assert (options["host"], options["port"]) == expected


def test_run_command_accepts_flasks_server_options(
    tmp_path: Path, runner: CliRunner, uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]]
) -> None:
    write(tmp_path / "app.py", APP_SOURCE)
    write(tmp_path / "cert.pem", "certificate")
    write(tmp_path / "key.pem", "key")
    args = ["run", "--cert", "cert.pem", "--key", "key.pem", "--no-debugger", "--without-threads"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "https://127.0.0.1:5000" in result.output
    ((target, options),) = uvicorn_calls
    assert target is sys.modules["app"].app.asgi
    assert options["ssl_certfile"] == str(tmp_path / "cert.pem")
    assert options["ssl_keyfile"] == str(tmp_path / "key.pem")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--key", "key.pem"], '"--cert" must also be specified.'),
        (["--cert", "adhoc"], "'adhoc' is not a certificate file"),
        (["--cert", "missing.pem", "--key", "key.pem"], "'missing.pem' is not a certificate file"),
    ],
)
def test_run_command_bad_cert_options(
    tmp_path: Path,
    runner: CliRunner,
    uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]],
    args: list[str],
    message: str,
) -> None:
    write(tmp_path / "app.py", APP_SOURCE)
    write(tmp_path / "key.pem", "key")
    result = runner.invoke(cli, ["run", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert uvicorn_calls == []


@pytest.mark.parametrize("watchfiles", [True, False])
def test_run_command_extra_files_and_exclude_patterns(
    tmp_path: Path,
    runner: CliRunner,
    uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]],
    monkeypatch: pytest.MonkeyPatch,
    watchfiles: bool,
) -> None:
    import vial.serving

    monkeypatch.setattr(vial.serving, "_has_watchfiles", lambda: watchfiles)
    write(tmp_path / "project" / "app.py", APP_SOURCE)
    settings = write(tmp_path / "settings" / "site.cfg", "X = 1\n")
    monkeypatch.chdir(tmp_path / "project")
    extra = os.pathsep.join([str(settings), "local.toml"])
    result = runner.invoke(
        cli,
        ["run", "--debug", "--extra-files", extra, "--exclude-patterns", "*.tmp:*.bak"],
    )
    assert result.exit_code == 0, result.output
    ((_, options),) = uvicorn_calls
    assert options["reload"] is True
    assert options["reload_dirs"] == [str(tmp_path / "project"), str(tmp_path / "settings")]
    if watchfiles:
        assert options["reload_includes"] == ["*.py", "*.html", "site.cfg", "local.toml"]
        assert options["reload_excludes"] == ["*.tmp", "*.bak"]
    else:
        assert "reload_includes" not in options and "reload_excludes" not in options
        assert "need watchfiles" in result.output


def test_app_run_werkzeug_server_options(
    tmp_path: Path, uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]]
) -> None:
    write(tmp_path / "runopts.py", "from vial import Vial\nmy_app = Vial(__name__)\n")
    app: Vial = __import__(prepare_import("runopts.py")).my_app
    app.run(ssl_context=("c.pem", "k.pem"), reloader_type="stat", reloader_interval=2)
    target, options = uvicorn_calls.pop()
    assert target is app.asgi
    assert (options["ssl_certfile"], options["ssl_keyfile"]) == ("c.pem", "k.pem")
    assert "reloader_type" not in options and "reloader_interval" not in options
    app.run(debug=True, extra_files=["../other/x.cfg"], exclude_patterns=["*.tmp"])
    target, options = uvicorn_calls.pop()
    assert options["reload"] is True
    assert options["reload_dirs"][-1] == str(tmp_path.parent / "other")
    with pytest.raises(ValueError, match="from files only"):
        app.run(ssl_context="adhoc")
    assert uvicorn_calls == []


def test_app_run_in_factory_cannot_reload(
    uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]], capsys: pytest.CaptureFixture[str]
) -> None:
    app = Vial("inner_app")
    app.run(debug=True)
    assert uvicorn_calls.pop()[0] is app.asgi
    assert "Cannot reload" in capsys.readouterr().err


def test_app_run_is_ignored_inside_the_vial_command(
    tmp_path: Path, runner: CliRunner, uvicorn_calls: list[tuple[t.Any, dict[str, t.Any]]]
) -> None:
    write(
        tmp_path / "runs_itself.py",
        """\
        from vial import Vial
        app = Vial(__name__)
        app.run()
        """,
    )
    result = runner.invoke(cli, ["--app", "runs_itself", "routes"])
    assert result.exit_code == 0, result.output
    assert "Ignoring a call to app.run()" in result.output
    assert uvicorn_calls == []


def test_app_import_path_for_main_script(tmp_path: Path) -> None:
    from vial.serving import app_import_path

    script = write(tmp_path / "script.py", "")
    app = Vial("__main__")
    fake_main = type(sys)("__main__")
    fake_main.__file__ = str(script)
    fake_main.application = app  # type: ignore[attr-defined]
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = fake_main
    try:
        assert app_import_path(app) == f"{script}:application"
    finally:
        sys.modules["__main__"] = saved
    assert app_import_path(Vial("nowhere")) is None
