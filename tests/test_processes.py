"""companion.processes: code run in fresh Python processes, and the %%run_in magic."""

import io

import pytest

import companion
from companion.processes import CellResult, run_in, show_results


@pytest.fixture(scope="module")
def one():
    process = companion.PythonProcesses(env={"COMPANION_TEST_FLAG": "on"})
    yield process
    process.close()


def test_state_stays_between_runs_and_the_last_expression_is_shown(one):
    (first,) = one.run("x = 20\nprint('set')")
    assert (first.stdout, first.stderr, first.error) == ("set\n", "", None)
    (second,) = one.run("x + 1")
    assert second.stdout == "21\n"
    (third,) = one.run("y = x * 2")  # an assignment shows nothing
    assert third.stdout == ""
    (fourth,) = one.run("None")
    assert fourth.stdout == ""


def test_the_process_gets_the_kernels_environment_plus_env(one):
    (result,) = one.run("import os\nprint(os.environ['COMPANION_TEST_FLAG'], 'RANK' in os.environ)")
    assert result.stdout == "on False\n"


def test_warnings_go_to_stderr_and_c_level_writes_stay_out(one):
    (result,) = one.run(
        "import os, warnings\nos.write(1, b'from C\\n')\nos.write(2, b'log\\n')\n"
        "warnings.warn('careful')\nprint('done')"
    )
    assert result.stdout == "done\n"
    assert "UserWarning: careful" in result.stderr and "from C" not in result.stderr


def test_an_exception_is_returned_with_its_type_message_and_traceback(one):
    (result,) = one.run("def f():\n    raise KeyError('missing')\nf()")
    assert result.error["type"] == "KeyError"
    assert result.error["message"] == "'missing'"
    assert "line 2, in f" in result.error["traceback"]
    (after,) = one.run("print('still alive')")  # the process goes on
    assert after.stdout == "still alive\n"


def test_two_processes_run_at_once_with_torchrun_variables():
    with companion.PythonProcesses(2) as pair:
        results = pair.run(
            "import os, socket, time\n"
            "rank = int(os.environ['RANK'])\n"
            "print(rank, os.environ['WORLD_SIZE'], os.environ['LOCAL_RANK'],"
            " os.environ['MASTER_ADDR'])\n"
            # Both must be running at once: each waits for the other's file.
            "import pathlib, tempfile\n"
            "folder = pathlib.Path(tempfile.gettempdir()) / ('pair-' + os.environ['MASTER_PORT'])\n"
            "folder.mkdir(exist_ok=True)\n"
            "(folder / str(rank)).touch()\n"
            "deadline = time.time() + 60\n"
            "while not (folder / str(1 - rank)).exists() and time.time() < deadline:\n"
            "    time.sleep(0.05)\n"
            "print((folder / str(1 - rank)).exists())"
        )
        assert [r.rank for r in results] == [0, 1]
        assert [r.stdout for r in results] == ["0 2 0 127.0.0.1\nTrue\n", "1 2 1 127.0.0.1\nTrue\n"]
        assert repr(pair) == "<PythonProcesses count=2 실행 중>"
    assert pair.closed and repr(pair) == "<PythonProcesses count=2 닫힘>"


def test_a_closed_or_dead_process_raises_a_clear_error():
    process = companion.PythonProcesses()
    process.close()
    process.close()  # twice is fine
    with pytest.raises(companion.ProcessCellError, match="close"):
        process.run("1")
    dying = companion.PythonProcesses()
    try:
        with pytest.raises(companion.ProcessCellError, match="종료 코드 3") as error:
            dying.run(
                "import os, sys\nsys.stderr.write('last words\\n')\nsys.stderr.flush()\n"
                "os.write(2, b'written by C\\n')\nos._exit(3)"
            )
        assert "written by C" in str(error.value) and error.value.rank == 0
        assert dying.closed
    finally:
        dying.close()


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"count": 0}, "count=0"),
        ({"count": 1.5}, "count=1.5"),
        ({"env": {"A": 1}}, "env={'A': 1}"),
        ({"env": ["A"]}, "env=['A']"),
    ],
)
def test_bad_arguments_name_the_argument_and_value(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment.replace("[", r"\[").replace("{", r"\{")):
        companion.PythonProcesses(**kwargs)


def test_code_must_be_a_string(one):
    with pytest.raises(ValueError, match="code=b'1'"):
        one.run(b"1")


def test_show_results_prints_each_process_and_raises_the_first_error():
    out, err = io.StringIO(), io.StringIO()
    show_results([CellResult(0, "a\n", "", None)], stdout=out, stderr=err)
    assert (out.getvalue(), err.getvalue()) == ("a\n", "")

    out, err = io.StringIO(), io.StringIO()
    failed = {"type": "ValueError", "message": "bad", "traceback": "Traceback ...\n"}
    results = [CellResult(0, "zero\n", "warn\n", None), CellResult(1, "one\n", "", failed)]
    with pytest.raises(companion.ProcessCellError, match="프로세스 1에서 ValueError: bad") as error:
        show_results(results, stdout=out, stderr=err)
    assert error.value.error_type == "ValueError" and error.value.rank == 1
    assert out.getvalue() == "[프로세스 0]\nzero\n[프로세스 1]\none\n"
    assert err.getvalue() == "warn\n"


def test_run_in_runs_the_cell_in_the_named_process(one, capsys):
    run_in(" worker ", "print(6 * 7)", {"worker": one})
    assert capsys.readouterr().out == "42\n"
    with pytest.raises(companion.ProcessCellError, match="ZeroDivisionError"):
        run_in("worker", "1 / 0", {"worker": one})


@pytest.mark.parametrize(
    ("line", "namespace", "fragment"),
    [
        ("", {}, "변수 이름을 적으세요"),
        ("jax_process", {}, "받은 값: 정의되지 않은 이름"),
        ("jax_process", {"jax_process": 3}, "받은 값: int"),
    ],
)
def test_run_in_names_what_is_wrong_with_the_line(line, namespace, fragment):
    with pytest.raises(ValueError, match=fragment):
        run_in(line, "1", namespace)


def test_the_extension_registers_the_cell_magic(one, capsys):
    class FakeIPython:
        user_ns = {"worker": one}

        def register_magic_function(self, function, magic_kind, magic_name):
            self.registered = (function, magic_kind, magic_name)

    ipython = FakeIPython()
    companion.processes.load_ipython_extension(ipython)
    function, kind, name = ipython.registered
    assert (kind, name) == ("cell", "run_in")
    function("worker", "print('via magic')")
    assert capsys.readouterr().out == "via magic\n"
