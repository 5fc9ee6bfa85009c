"""12장 연습 문제 채점기: `LayoutMap`으로 커널 나누기, 나눌 수 있는 `LowRankLinear` 층.

두 채점기는 노트북의 백엔드와 상관없이 **JAX 백엔드와 CPU 장치 8개로 시작한 새 프로세스**
(`companion.PythonProcesses`)에서 채점합니다. 장치 수는 JAX가 시작하기 전에만 정할 수 있기
때문입니다. 노트북 쪽의 `check_*`는 답(함수나 클래스)의 소스 코드를 찾아 그 프로세스에 보내고,
프로세스는 소스를 `keras`, `numpy`(`np`), `companion`만 있는 이름 공간에서 다시 실행한 뒤
같은 `Checker`로 채점해 결과(고칠 점, 확인 수)를 돌려줍니다. 프로세스는 처음 채점할 때
한 번 띄워 두고 다시 씁니다.

연습 12-1 `check_tower_layout_map(tower_layout_map)` — 요구 사항 → 확인 (4개):

1. `up/w`는 `(None, "model")`, `up/b`는 `("model",)`
   → `(2, 4)`, `(1, 8)` 격자에서 변수의 샤딩(`PartitionSpec`)과 장치마다 조각 모양
2. `down/w`는 `("model", None)`, `down/b`는 복제
   → 같은 확인
3. 키마다 변수에 맞고(`re.fullmatch`), 모델 이름이 달라도 맞는다
   → 맞지 않는 키를 밝히고, 이름이 `my_tower`인 모델에서도 위를 확인
4. 그 분산 설정에서 훈련한 손실이 장치 1개와 같다
   → `(2, 4)` 격자에서 한 에포크, 차이 < 1e-5

연습 12-2 `check_low_rank_linear(LowRankLinear)` — 요구 사항 → 확인 (4개):

1. `units`, `rank`가 양의 정수가 아니면 인자 이름과 받은 값을 담은 `ValueError`
   → `units=0`, `rank=-1`, `units=2.5`
2. 가중치 `a (입력, rank)`, `b (rank, units)`, `bias (units,)`가 그 이름의 경로로
   → 경로와 모양, 이름 없는 가중치(`variable`)를 따로 알림
3. 출력 = `(inputs · a) · b + bias`
   → 정해 둔 가중치로 값 비교
4. 주어진 `LayoutMap`에서 `a`, `b`가 rank 축으로 나뉘고 출력·손실이 장치 1개와 같다
   → `(2, 4)` 격자에서 샤딩, 조각 모양, 출력, 한 에포크 손실
"""

import ast
import json
import linecache
import textwrap

import numpy as np

from companion.exercises.checker import (
    Checker,
    CheckReport,
    WrongArgument,
    describe_exception,
    exercise,
    require_class,
)
from companion.processes import PythonProcesses
from companion.settings import SEED

TITLE_TOWER = "연습 12-1 탑의 커널 나누기"
TITLE_LOW_RANK = "연습 12-2 나눌 수 있는 LowRankLinear 층"

#: 채점용 프로세스의 첫 코드: JAX가 시작하기 전에 장치 8개를 정합니다.
_SETUP = """
import os
os.environ["KERAS_BACKEND"] = "jax"
import jax
jax.config.update("jax_num_cpu_devices", 8)
import logging
logging.getLogger("absl").setLevel(logging.ERROR)
from companion.exercises import chapter12 as _chapter12
"""
_process = [None]


def _grading_process():
    process = _process[0]
    if process is None or process.closed:
        process = PythonProcesses()
        (result,) = process.run(_SETUP)
        if result.error:
            process.close()
            raise RuntimeError(
                f"채점용 JAX 프로세스를 준비하지 못했습니다: {result.error['message']}"
            )
        _process[0] = process
    return process


def close_grading_process():
    """채점용 프로세스를 닫습니다 (다음 채점 때 다시 띄웁니다)."""
    if _process[0] is not None:
        _process[0].close()
        _process[0] = None


# ---------------------------------------------------------------- 답의 소스 찾기


def _functions_of(value):
    if hasattr(value, "__code__"):
        return [value]
    found = []
    for member in vars(value).values():
        member = getattr(member, "__func__", member)
        if hasattr(member, "__code__"):
            found.append(member)
    return found


def answer_source(value, argument):
    """답의 소스: 답이 같은 곳에서 정의한 클래스를 물려받으면 그 클래스의 소스를 앞에 붙입니다.

    Raises:
        WrongArgument: 함수나 클래스가 아니거나 소스를 찾을 수 없을 때.
    """
    sources = [_definition_source(value, argument)]
    if isinstance(value, type):
        for base in value.__mro__[1:]:
            if base.__module__ == value.__module__ and base.__module__ not in ("builtins",):
                sources.insert(0, _definition_source(base, argument))
    return "\n\n".join(sources)


def _definition_source(value, argument):
    """함수나 클래스 `value`를 정의한 코드를 (들여쓰기를 걷어 낸 채) 돌려줍니다.

    노트북 셀에서 정의한 클래스는 `inspect.getsource()`가 찾지 못하므로(`__main__`에 파일이
    없습니다), 클래스의 메서드가 기록한 파일 이름과 줄 번호로 셀의 코드를 읽어 그 클래스의
    정의를 찾습니다. 함수 안에서 정의한 함수·클래스(모범 답안의 `solution()`)도 찾습니다.

    Raises:
        WrongArgument: 함수나 클래스가 아니거나 소스를 찾을 수 없을 때.
    """
    if not (isinstance(value, type) or callable(value)) or not hasattr(value, "__name__"):
        raise WrongArgument(f"{argument}에는 함수나 클래스를 넘기세요. 받은 값: {value!r}")
    kind = ast.ClassDef if isinstance(value, type) else (ast.FunctionDef, ast.AsyncFunctionDef)
    for function in _functions_of(value):
        code = function.__code__
        lines = linecache.getlines(code.co_filename)
        if not lines:
            continue
        text = "".join(lines)
        try:
            tree = (
                ast.parse(textwrap.dedent(text))
                if text.startswith((" ", "\t"))
                else ast.parse(text)
            )
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, kind) or node.name != value.__name__:
                continue
            if not node.lineno <= code.co_firstlineno <= node.end_lineno:
                continue
            start = min([node.lineno] + [d.lineno for d in node.decorator_list])
            return textwrap.dedent("".join(lines[start - 1 : node.end_lineno]))
    raise WrongArgument(
        f"{argument}의 소스 코드를 찾을 수 없습니다: 노트북 셀이나 파이썬 파일에서 def/class로 "
        f"정의한 것을 넘기세요. 받은 값: {value!r}"
    )


def _grade_remotely(title, grader, value, argument):
    source = answer_source(value, argument)
    code = f"print(_chapter12._report_json({grader!r}, {source!r}, {value.__name__!r}))"
    (result,) = _grading_process().run(code)
    if result.error:
        raise RuntimeError(f"{result.error['type']}: {result.error['message']}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return CheckReport(title, report["failures"], report["checks"])


# ---------------------------------------------------------------- 채점용 프로세스 안에서


def _report_json(grader, source, name):
    """(채점용 프로세스에서) 소스를 다시 실행해 `name`을 얻고 채점한 결과를 JSON으로."""
    import keras

    import companion

    title = {"tower": TITLE_TOWER, "low_rank": TITLE_LOW_RANK}[grader]
    namespace = {"__name__": "answer", "keras": keras, "np": np, "companion": companion}
    try:
        exec(compile(source, f"<{name}>", "exec"), namespace)  # noqa: S102 - 독자의 답
        answer = namespace[name]
    except Exception as error:  # 독자의 코드가 낸 예외를 보고서로 바꿉니다.
        report = CheckReport(
            title,
            [
                f"{name}의 정의를 채점용 프로세스에서 다시 실행하다 예외가 났습니다: "
                f"{describe_exception(error)} — 답은 keras, keras.ops, numpy(np)와 함수·클래스 "
                "안에서 가져온(import) 것만 쓰세요."
            ],
            1,
        )
    else:
        try:
            report = {"tower": _grade_tower, "low_rank": _grade_low_rank}[grader](answer)
        finally:
            keras.distribution.set_distribution(None)
    return json.dumps({"failures": report.failures, "checks": report.checks}, ensure_ascii=False)


def _spec(variable):
    from companion.distribution import _partition_spec

    return _partition_spec(variable)


def _expected_shard(shape, axes, mesh):
    sizes = dict(zip(mesh.axis_names, mesh.shape, strict=True))
    return tuple(
        size // sizes[axis] if axis else size for size, axis in zip(shape, axes, strict=True)
    )


def _expect_layout(checker, variable, axes, mesh, hint):
    """변수의 샤딩이 `axes`이고 장치마다 조각 모양이 맞는지 확인합니다."""
    from companion.distribution import device_shards

    spec = _spec(variable)
    if spec == tuple(axes):
        shapes = {shape for _, shape, _ in device_shards(variable)}
        expected = _expected_shard(tuple(variable.shape), axes, mesh)
        return checker.expect(
            shapes == {expected},
            f"{variable.path}: 장치마다 조각 모양이 {expected}이어야 하는데 "
            f"{sorted(shapes)}입니다.",
        )
    if spec is None or all(axis is None for axis in spec):
        if any(axis is not None for axis in axes):
            return checker.fail(
                f"{variable.path} {tuple(variable.shape)}가 모든 장치에 복제되었습니다 (샤딩 "
                f"{spec}); {tuple(axes)}로 나뉘어야 합니다. {hint}"
            )
    return checker.fail(
        f"{variable.path} {tuple(variable.shape)}가 {spec}로 나뉘었는데 {tuple(axes)}여야 "
        "합니다 (튜플의 자리는 가중치의 축 순서, 값은 격자의 축 이름 'model'입니다)."
    )


def _fit_loss(model, x, y):
    import keras

    model.compile(optimizer=keras.optimizers.SGD(0.1, name="sgd"), loss="mse")
    history = model.fit(x, y, batch_size=16, epochs=1, shuffle=False, verbose=0)
    return float(history.history["loss"][0])


# ---------------------------------------------------------------- 연습 12-1


def _tower(name):
    import keras

    import companion

    keras.utils.set_random_seed(SEED)
    return keras.Sequential(
        [keras.Input((32,)), companion.Linear(64, name="up"), companion.Linear(32, name="down")],
        name=name,
    )


_TOWER_AXES = (
    ("up", "w", (None, "model")),
    ("up", "b", ("model",)),
    ("down", "w", ("model", None)),
    ("down", "b", (None,)),
)


def _grade_tower(make_layout_map):
    import re

    import keras

    checker = Checker(TITLE_TOWER)
    rng = np.random.default_rng(SEED)
    x = rng.normal(size=(32, 32)).astype("float32")
    y = rng.normal(size=(32, 32)).astype("float32")
    with checker:
        checker.require(callable(make_layout_map), "tower_layout_map에는 함수를 넘기세요.")
        for mesh_shape, model_name in (((2, 4), "tower"), ((1, 8), "tower"), ((2, 4), "my_tower")):
            mesh = keras.distribution.DeviceMesh(mesh_shape, ["batch", "model"])
            where = f"격자 {mesh_shape}, 모델 '{model_name}'"
            layout_map = checker.call(
                f"tower_layout_map(DeviceMesh({mesh_shape}))", make_layout_map, mesh
            )
            checker.require(
                isinstance(layout_map, keras.distribution.LayoutMap),
                "tower_layout_map은 keras.distribution.LayoutMap을 돌려줘야 하는데 "
                f"{type(layout_map).__name__}을(를) 돌려주었습니다.",
            )
            checker.require(
                layout_map.device_mesh is mesh,
                "LayoutMap(device_mesh)로, 받은 격자를 그대로 쓰세요 (다른 격자를 만들지 말고).",
            )
            distribution = keras.distribution.ModelParallel(
                layout_map=layout_map, batch_dim_name="batch"
            )
            keras.distribution.set_distribution(distribution)
            model = checker.call(f"{where}: 분산 설정 안에서 모델 만들기", _tower, model_name)
            failures_before = len(checker.failures)
            paths = [v.path for v in model.variables]
            unmatched = [k for k in layout_map if not any(re.fullmatch(k, p) for p in paths)]
            checker.expect(
                not unmatched,
                f"{where}: 키 {', '.join(map(repr, unmatched))}가 어떤 변수 경로에도 경로 전체로 "
                f"맞지 않습니다 (re.fullmatch). 경로: {paths}",
            )
            hint = (
                "키가 경로 전체와 맞는지 보세요 (예: 경로 'tower/up/w'에는 '.*up/w'가 맞고 "
                "'up/w'는 맞지 않습니다)."
            )
            if model_name != "tower":
                hint = (
                    f"모델 이름이 '{model_name}'이어도 맞도록 키를 쓰세요 ('tower/...' 대신 "
                    "'.*/up/w'처럼)."
                )
            for layer, weight, axes in _TOWER_AXES:
                variable = getattr(model.get_layer(layer), weight)
                _expect_layout(checker, variable, axes, mesh, hint)
            if mesh_shape == (2, 4) and model_name == "tower":
                sharded = checker.call(f"{where}: fit() 한 에포크", _fit_loss, model, x, y)
                keras.distribution.set_distribution(None)
                single = _fit_loss(_tower("tower"), x, y)
                checker.expect(
                    abs(sharded - single) < 1e-5,
                    f"{where}: 손실이 장치 1개({single:.5f})와 달리 {sharded:.5f}입니다.",
                )
            keras.distribution.set_distribution(None)
            if len(checker.failures) > failures_before:
                checker.stop()  # 한 격자에서 틀렸으면 다른 격자에서도 같은 이유로 틀립니다.
    return checker.report()


@exercise(TITLE_TOWER, "tower_layout_map")
def check_tower_layout_map(tower_layout_map):
    """연습 12-1: 탑 모델의 커널을 `"model"` 축에 나누는 `LayoutMap` 함수를 채점합니다.

    기대하는 것: `tower_layout_map(device_mesh)`가 그 격자의 `LayoutMap`을 돌려주고, 그
    분산 설정에서 만든 `Sequential([Linear(64, name="up"), Linear(32, name="down")])`의
    `up/w`가 `(None, "model")`, `up/b`가 `("model",)`, `down/w`가 `("model", None)`으로
    나뉘고 `down/b`는 복제됩니다. 모델 이름이 달라도 키가 맞아야 합니다. 채점은 JAX와 CPU
    장치 8개로 시작한 새 프로세스에서 합니다 (모듈 설명).

    Args:
        tower_layout_map: 독자가 만든 함수.

    Returns:
        `CheckReport`.

    Example:

    >>> check_tower_layout_map(tower_layout_map)  # doctest: +SKIP
    ✅ 연습 12-1 탑의 커널 나누기: 통과했습니다 (27개 항목 확인).
    """
    if isinstance(tower_layout_map, type):
        raise WrongArgument(
            f"tower_layout_map에는 클래스가 아니라 함수를 넘기세요. 받은 값: {tower_layout_map!r}"
        )
    return _grade_remotely(TITLE_TOWER, "tower", tower_layout_map, "tower_layout_map")


# ---------------------------------------------------------------- 연습 12-2

_LOW_RANK_MAP = ((".*low_rank/a", (None, "model")), (".*low_rank/b", ("model", None)))


def _low_rank_model(layer_class):
    import keras

    keras.utils.set_random_seed(SEED)
    inputs = keras.Input((12,))
    outputs = layer_class(units=16, rank=8, name="low_rank")(inputs)
    return keras.Model(inputs, outputs, name="low_rank_model")


def _set_known_weights(model, values):
    for variable in model.get_layer("low_rank").weights:
        name = variable.path.rsplit("/", 1)[-1]
        if name in values and tuple(variable.shape) == values[name].shape:
            variable.assign(values[name])


def _grade_low_rank(layer_class):
    import keras

    checker = Checker(TITLE_LOW_RANK)
    rng = np.random.default_rng(SEED + 12)
    values = {
        "a": rng.normal(scale=0.3, size=(12, 8)).astype("float32"),
        "b": rng.normal(scale=0.3, size=(8, 16)).astype("float32"),
        "bias": rng.normal(scale=0.5, size=(16,)).astype("float32"),
    }
    x = rng.normal(size=(32, 12)).astype("float32")
    y = rng.normal(size=(32, 16)).astype("float32")
    expected = x @ values["a"] @ values["b"] + values["bias"]
    with checker:
        require_class(layer_class, "LowRankLinear")
        for kwargs, mentions in (
            ({"units": 0, "rank": 8}, ("units", "0")),
            ({"units": 16, "rank": -1}, ("rank", "-1")),
            ({"units": 2.5, "rank": 8}, ("units", "2.5")),
        ):
            argument = ", ".join(f"{k}={v}" for k, v in kwargs.items())
            checker.expect_value_error(
                f"LowRankLinear({argument})",
                lambda kwargs=kwargs: layer_class(**kwargs),
                mentions=mentions,
            )
        keras.distribution.set_distribution(None)
        model = checker.call(
            "LowRankLinear(units=16, rank=8, name='low_rank')을 넣은 모델 만들기",
            _low_rank_model,
            layer_class,
        )
        layer = model.get_layer("low_rank")
        shapes = {v.path: tuple(v.shape) for v in layer.weights}
        wanted = {"low_rank/a": (12, 8), "low_rank/b": (8, 16), "low_rank/bias": (16,)}
        unnamed = [path for path in shapes if path.rsplit("/", 1)[-1].startswith("variable")]
        if unnamed:
            checker.fail(
                f"이름 없는 가중치가 있습니다: {unnamed}. add_weight(name='a', ...)처럼 이름을 "
                "주세요: 이름이 변수 경로가 되고, LayoutMap의 키는 그 경로에 맞습니다."
            )
        checker.require(
            shapes == wanted,
            f"가중치의 경로와 모양이 {wanted}이어야 하는데 {shapes}입니다.",
        )
        _set_known_weights(model, values)
        single_output = checker.call("모델 호출", model, x)
        checker.require_close(
            "출력 (inputs · a) · b + bias", expected, keras.ops.convert_to_numpy(single_output)
        )
        single_loss = _fit_loss(model, x, y)

        mesh = keras.distribution.DeviceMesh((2, 4), ["batch", "model"])
        layout_map = keras.distribution.LayoutMap(mesh)
        for key, axes in _LOW_RANK_MAP:
            layout_map[key] = axes
        keras.distribution.set_distribution(
            keras.distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch")
        )
        sharded = checker.call(
            "격자 (2, 4)의 분산 설정 안에서 모델 만들기", _low_rank_model, layer_class
        )
        layer = sharded.get_layer("low_rank")
        hint = "가중치 이름이 'a', 'b'인지 보세요."
        for variable in layer.weights:
            name = variable.path.rsplit("/", 1)[-1]
            axes = dict(_LOW_RANK_MAP).get(f".*low_rank/{name}", (None,) * len(variable.shape))
            _expect_layout(checker, variable, axes, mesh, hint)
        _set_known_weights(sharded, values)
        output = checker.call("나뉜 모델 호출", sharded, x)
        checker.expect_close(
            "나뉜 모델의 출력 (장치 1개와 같아야 합니다)",
            expected,
            keras.ops.convert_to_numpy(output),
        )
        loss = checker.call("나뉜 모델로 fit() 한 에포크", _fit_loss, sharded, x, y)
        checker.expect(
            abs(loss - single_loss) < 1e-5,
            f"나뉜 모델의 손실 {loss:.5f}가 장치 1개의 {single_loss:.5f}와 다릅니다.",
        )
    return checker.report()


@exercise(TITLE_LOW_RANK, "LowRankLinear")
def check_low_rank_linear(layer_class):
    """연습 12-2: 가중치 경로 덕분에 `LayoutMap`으로 나뉘는 `LowRankLinear` 층을 채점합니다.

    기대하는 것: `LowRankLinear(units, rank, **kwargs)`가 `a (입력, rank)`, `b (rank, units)`,
    `bias (units,)`를 그 이름으로 만들고 `(inputs · a) · b + bias`를 돌려주며, 모듈 설명의
    `LayoutMap`으로 `a`와 `b`가 rank 축으로 나뉜 채 장치 1개와 같은 출력과 손실을 냅니다.
    채점은 JAX와 CPU 장치 8개로 시작한 새 프로세스에서 합니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_low_rank_linear(LowRankLinear)  # doctest: +SKIP
    ✅ 연습 12-2 나눌 수 있는 LowRankLinear 층: 통과했습니다 (12개 항목 확인).
    """
    require_class(layer_class, "LowRankLinear")
    return _grade_remotely(TITLE_LOW_RANK, "low_rank", layer_class, "LowRankLinear")
