"""노트북 옆에 새 파이썬 프로세스를 띄워 셀의 코드를 그 안에서 실행하는 도구.

Keras의 백엔드와 장치 구성은 한 프로세스에 한 번만 정해집니다: `KERAS_BACKEND`는 `import
keras` 전에, JAX의 CPU 장치 수(`jax_num_cpu_devices`)는 JAX가 백엔드를 시작하기 전에,
TensorFlow의 논리 장치는 TensorFlow가 장치를 초기화하기 전에 정해야 합니다. 이미 한 백엔드로
돌고 있는 노트북 커널에서 다른 구성을 보려면 새 프로세스가 필요합니다.

`PythonProcesses(count)`는 빈 파이썬 프로세스를 `count`개 띄우고, 각 프로세스는 받은 코드를
자기 이름 공간(namespace)에서 차례로 실행합니다 (셀 사이에 변수가 남는 작은 커널입니다).
노트북에서는 `%load_ext companion.processes`로 셀 매직 `%%run_in 이름`을 등록하고, 셀의 나머지
코드를 그 프로세스들에서 실행해 출력을 셀 아래에 보여 줍니다. 마지막 줄이 식이면 Jupyter처럼
그 값의 `repr()`을 보여 줍니다.

프로세스가 둘 이상이면 각 프로세스에 `torchrun`과 같은 환경 변수(`RANK`, `WORLD_SIZE`,
`LOCAL_RANK`, `MASTER_ADDR=127.0.0.1`, `MASTER_PORT`)를 주고, 같은 코드를 동시에 보냅니다
(`torch.distributed.init_process_group`처럼 모든 프로세스가 함께 기다리는 코드가 돌도록).

프로세스가 C 수준에서 쓰는 로그(TensorFlow·XLA의 시작 메시지)는 출력에 섞이지 않고 따로
모아 두었다가, 프로세스가 죽었을 때만 오류 메시지에 붙입니다. 셀의 코드가 예외를 내면 노트북
쪽에서 `ProcessCellError`가 나고, 메시지에 원래 예외의 형식과 추적 정보가 들어갑니다.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import weakref

from companion._validation import check_positive_int

#: 새 프로세스가 실행하는 작은 커널. 한 줄에 JSON 요청 하나를 받아 코드 하나를 실행합니다.
_KERNEL = r"""
import ast, contextlib, io, json, os, sys, traceback

replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
# C 수준에서 fd 1에 쓰는 글이 답장 통로를 깨지 않도록 fd 1을 로그(fd 2)로 돌립니다.
os.dup2(2, 1)
namespace = {"__name__": "__main__", "__builtins__": __builtins__}
replies.write(json.dumps({"ready": os.getpid()}) + "\n")
replies.flush()
for line in sys.stdin:
    code = json.loads(line)["code"]
    out, err, error = io.StringIO(), io.StringIO(), None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            tree = ast.parse(code, "<셀>")
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, "<셀>", "exec"), namespace)
            if last is not None:
                value = eval(compile(last, "<셀>", "eval"), namespace)
                if value is not None:
                    print(repr(value))
        except BaseException as exc:
            error = {
                "type": type(exc).__name__,
                "message": str(exc),
                "traceback": "".join(traceback.format_exception(exc)),
            }
    replies.write(
        json.dumps({"stdout": out.getvalue(), "stderr": err.getvalue(), "error": error}) + "\n"
    )
    replies.flush()
"""

#: 프로세스가 죽었을 때 오류 메시지에 붙일 로그의 끝 글자 수.
_LOG_TAIL = 3000


class ProcessCellError(RuntimeError):
    """`PythonProcesses`의 프로세스에서 실행한 코드가 예외를 냈거나 프로세스가 죽었습니다.

    Attributes:
        rank: 예외가 난 프로세스의 번호 (0부터).
        error_type: 원래 예외의 형식 이름 (예: `"ValueError"`). 프로세스가 죽었으면 `None`.
    """

    def __init__(self, message, rank, error_type=None):
        super().__init__(message)
        self.rank = rank
        self.error_type = error_type


class CellResult:
    """프로세스 하나가 코드 하나를 실행한 결과.

    Attributes:
        rank: 프로세스 번호 (0부터).
        stdout: 코드가 `print()` 등으로 쓴 글.
        stderr: 코드가 `sys.stderr`에 쓴 글 (파이썬 경고 포함).
        error: 예외가 났으면 `{"type", "message", "traceback"}` 딕셔너리, 아니면 `None`.
    """

    def __init__(self, rank, stdout, stderr, error):
        self.rank = rank
        self.stdout = stdout
        self.stderr = stderr
        self.error = error

    def __repr__(self):
        state = "오류" if self.error else "성공"
        return f"<CellResult rank={self.rank} {state}, stdout {len(self.stdout)}자>"


class PythonProcesses:
    """코드를 받아 실행하는 새 파이썬 프로세스 `count`개.

    프로세스는 노트북 커널의 환경 변수를 물려받습니다 (`env`로 더하거나 바꿀 수 있습니다).
    `KERAS_BACKEND`와 장치 구성은 보낸 코드가 `import keras` 전에 스스로 정하세요.

    Args:
        count: 띄울 프로세스 수. 양의 정수. 2 이상이면 `RANK`, `WORLD_SIZE`, `LOCAL_RANK`,
            `MASTER_ADDR`, `MASTER_PORT`를 프로세스마다 정해 줍니다.
        env: 모든 프로세스에 더할 환경 변수 딕셔너리 (문자열 → 문자열).

    Raises:
        ValueError: `count`가 양의 정수가 아니거나 `env`가 문자열 딕셔너리가 아닐 때.
        ProcessCellError: 프로세스가 시작하지 못했을 때.

    Example:

    >>> workers = PythonProcesses(2)  # doctest: +SKIP
    >>> [r.stdout for r in workers.run("import os; print(os.environ['RANK'])")]  # doctest: +SKIP
    ['0\\n', '1\\n']
    >>> workers.close()  # doctest: +SKIP
    """

    def __init__(self, count=1, env=None):
        count = check_positive_int("count", count)
        if env is None:
            env = {}
        if not isinstance(env, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in env.items()
        ):
            raise ValueError(
                f"env는 문자열을 문자열에 대응시키는 딕셔너리여야 합니다. 받은 값: env={env!r}"
            )
        self.count = count
        self._lock = threading.Lock()
        base = {**os.environ, **env, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
        if count > 1:
            base.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(_free_port()))
            base["WORLD_SIZE"] = str(count)
        self._processes, self._logs = [], []
        for rank in range(count):
            process_env = dict(base)
            if count > 1:
                process_env.update(RANK=str(rank), LOCAL_RANK=str(rank))
            log = tempfile.TemporaryFile()
            process = subprocess.Popen(
                [sys.executable, "-u", "-c", _KERNEL],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=process_env,
                text=True,
                encoding="utf-8",
            )
            self._processes.append(process)
            self._logs.append(log)
        self._finalizer = weakref.finalize(self, _stop, self._processes, self._logs)
        for rank in range(count):
            self._read_reply(rank)

    @property
    def closed(self):
        """`close()`를 불렀거나 프로세스가 끝났으면 `True`."""
        return not self._finalizer.alive or any(p.poll() is not None for p in self._processes)

    def run(self, code):
        """모든 프로세스에서 `code`를 실행하고 결과를 프로세스 번호 순서로 돌려줍니다.

        코드를 모든 프로세스에 먼저 보낸 뒤 답을 기다리므로, 프로세스들은 동시에 실행합니다.

        Args:
            code: 파이썬 코드 문자열.

        Returns:
            `CellResult`의 리스트 (프로세스마다 하나).

        Raises:
            ValueError: `code`가 문자열이 아닐 때.
            ProcessCellError: 프로세스가 이미 닫혔거나 실행 중에 죽었을 때.
        """
        if not isinstance(code, str):
            raise ValueError(f"code에는 파이썬 코드 문자열을 넘기세요. 받은 값: code={code!r}")
        with self._lock:
            if not self._finalizer.alive:
                raise ProcessCellError("프로세스를 이미 닫았습니다 (close()).", rank=0)
            request = json.dumps({"code": code}) + "\n"
            for rank, process in enumerate(self._processes):
                try:
                    process.stdin.write(request)
                    process.stdin.flush()
                except (BrokenPipeError, OSError):
                    raise self._died(rank) from None
            results = []
            for rank in range(self.count):
                reply = self._read_reply(rank)
                results.append(CellResult(rank, reply["stdout"], reply["stderr"], reply["error"]))
            return results

    def close(self):
        """프로세스를 모두 끝냅니다. 여러 번 불러도 됩니다."""
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        state = "닫힘" if self.closed else "실행 중"
        return f"<PythonProcesses count={self.count} {state}>"

    def _read_reply(self, rank):
        line = self._processes[rank].stdout.readline()
        if not line:
            raise self._died(rank)
        return json.loads(line)

    def _died(self, rank):
        process = self._processes[rank]
        try:
            code = process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        log = self._logs[rank]
        log.seek(0)
        tail = log.read().decode("utf-8", "replace")[-_LOG_TAIL:]
        return ProcessCellError(
            f"프로세스 {rank}가 끝났습니다 (종료 코드 {code}). 로그의 끝:\n{tail}", rank=rank
        )


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(processes, logs):
    for process in processes:
        if process.poll() is None and process.stdin:
            try:
                process.stdin.close()  # 작은 커널은 입력이 끝나면 스스로 끝납니다.
            except OSError:
                pass
    for process in processes:
        try:
            # 파이썬의 종료 처리(JAX, TensorFlow, Orbax의 스레드 정리)는 몇십 초씩 걸리기도
            # 합니다. 셀의 결과는 이미 다 받았으니 잠깐만 기다리고 끝냅니다.
            process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()
    for log in logs:
        log.close()


def show_results(results, stdout=None, stderr=None):
    """`PythonProcesses.run()`의 결과를 쓰고, 예외가 있었으면 `ProcessCellError`를 냅니다.

    프로세스가 하나면 출력을 그대로 쓰고, 여럿이면 `[프로세스 N]` 제목 아래에 차례로 씁니다.

    Args:
        results: `CellResult`의 리스트.
        stdout: 출력을 쓸 곳 (기본값 `sys.stdout`).
        stderr: 오류 출력을 쓸 곳 (기본값 `sys.stderr`).

    Raises:
        ProcessCellError: 결과 중 하나라도 예외를 담고 있을 때 (첫 번째 것).
    """
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    for result in results:
        if len(results) > 1:
            stdout.write(f"[프로세스 {result.rank}]\n")
        stdout.write(result.stdout)
        if result.stderr:
            stderr.write(result.stderr)
    for result in results:
        if result.error:
            error = result.error
            raise ProcessCellError(
                f"프로세스 {result.rank}에서 {error['type']}: {error['message']}\n"
                f"{error['traceback']}",
                rank=result.rank,
                error_type=error["type"],
            )


def run_in(line, cell, namespace):
    """셀 매직 `%%run_in 이름`의 본체: `namespace[이름]`의 프로세스에서 `cell`을 실행합니다.

    Raises:
        ValueError: 이름이 없거나, 그 이름의 값이 `PythonProcesses`가 아닐 때.
        ProcessCellError: 코드가 예외를 냈을 때.
    """
    name = line.strip()
    if not name:
        raise ValueError(
            "%%run_in 뒤에 PythonProcesses를 담은 변수 이름을 적으세요 (예: %%run_in jax_process)."
        )
    if name not in namespace or not isinstance(namespace[name], PythonProcesses):
        received = type(namespace[name]).__name__ if name in namespace else "정의되지 않은 이름"
        raise ValueError(
            f"%%run_in {name}: '{name}'은(는) PythonProcesses가 아닙니다. 받은 값: {received}"
        )
    show_results(namespace[name].run(cell))


def load_ipython_extension(ipython):
    """`%load_ext companion.processes`: 셀 매직 `%%run_in`을 등록합니다."""

    def run_in_magic(line, cell):
        run_in(line, cell, ipython.user_ns)

    ipython.register_magic_function(run_in_magic, magic_kind="cell", magic_name="run_in")
