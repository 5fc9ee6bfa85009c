"""13장 연습 문제 채점기: 양자화한 합성 층을 다시 불러오기, 내보낸 모델의 새 엔드포인트.

연습 13-1 `check_quantizable_composite(layer_class)` (`GatedDense`) — 요구 사항 → 확인 (7개):

1. `GatedDense(units, **kwargs)`, `name=`을 받고 `get_config()`에 `units`
   → `GatedDense(units=6, name=...)` 만들기, 설정 비교
2. 하위 층은 `keras.layers.Dense` 두 개(값과 문)이고 출력 = `값(x) * sigmoid(문(x))`
   → 하위 층을 찾아 그 층들로 계산한 값과 비교 (두 층의 순서는 어느 쪽이든)
3. 하위 층마다 고정된 이름
   → 같은 층을 두 번 만들어도 하위 층 이름이 같은지 (`dense_7` 같은 자동 이름이 아닌지)
4. `model.quantize("int8")`이 두 하위 층을 모두 양자화한다
   → 하위 층의 자료형 정책이 `int8_from_float32`인지
5. 양자화한 출력이 원래 출력에 가깝다
   → 최대 차이가 출력 크기의 5% 안인지
6. 양자화한 모델을 `.keras`로 저장하고 다시 불러오면 같은 예측, 하위 층도 `int8`
   → `custom_objects` 없이 불러와 비교
7. 양자화하지 않은 모델도 그대로 저장하고 다시 불러온다, 클래스는 직렬화 등록부에
   → 저장·불러오기 비교, `register_keras_serializable`

연습 13-2 `check_probability_endpoint(export_fn)` — 요구 사항 → 확인 (6개):

1. `export_fn(model, path)`가 `path`에 SavedModel을 쓴다
   → `tf.saved_model.load(path)`로 불러오기
2. 엔드포인트 `probabilities`가 있다
   → 불러온 객체의 속성
3. `probabilities(x)` = `softmax(model(x))` (마지막 축)
   → Keras로 계산한 값과 비교, 행의 합이 1
4. 배치 크기가 정해져 있지 않다
   → 배치 1과 7로 부르기
5. 입력 폭을 코드에 박아 두지 않는다
   → 16→4, 5→3 두 모델로 위를 모두 확인
6. (PyTorch 백엔드) `ExportArchive`가 `torch_xla`를 요구하므로 TensorFlow나 JAX 백엔드에서
   채점한다 → 그 뜻을 알리는 보고서
"""

import os
import shutil
import tempfile

import keras
import numpy as np

from companion.exercises.checker import (
    Checker,
    exercise,
    quiet_tensorflow_logs,
    require_class,
    save_and_reload,
)
from companion.settings import SEED


def _numpy(value):
    return np.asarray(keras.ops.convert_to_numpy(value), dtype="float64")


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# ---------------------------------------------------------------- 연습 13-1


def _dense_sublayers(layer):
    return [
        sub
        for sub in layer._flatten_layers(include_self=False)
        if isinstance(sub, keras.layers.Dense)
    ]


def _gated_model(layer_class, units, name="gated"):
    inputs = keras.Input((5,), name="features")
    layer = layer_class(units=units, name=name)
    return keras.Model(inputs, layer(inputs), name="gated_model"), layer


def _policy_names(layer):
    return [
        sub.dtype_policy.name
        if not isinstance(sub.dtype_policy, keras.dtype_policies.DTypePolicyMap)
        else sub.dtype_policy[sub.path].name
        for sub in _dense_sublayers(layer)
    ]


def _expected_gated(layer, x):
    """값(x)·sigmoid(문(x)) for both orders of the two Dense sub-layers (pre-activation values)."""
    first, second = (
        x @ _numpy(sub.kernel) + (_numpy(sub.bias) if sub.use_bias else 0.0)
        for sub in _dense_sublayers(layer)
    )
    return first * _sigmoid(second), second * _sigmoid(first)


@exercise("연습 13-1 양자화해도 다시 불러오는 GatedDense 층", "GatedDense")
def check_quantizable_composite(layer_class):
    """연습 13-1: `Dense` 두 개로 된 `GatedDense`가 양자화한 뒤에도 다시 불러와지는지 채점합니다.

    기대하는 것: `layer_class(units, **kwargs)`가 `값 = Dense(units)`와 `문 = Dense(units)`를
    하위 층으로 가지고 `값(x) * sigmoid(문(x))`를 돌려주며, `model.quantize("int8")` 뒤에
    `.keras`로 저장한 모델을 그대로 다시 불러올 수 있어야 합니다 (하위 층에 고정된 이름,
    `dtype=self.dtype_policy`, `get_config()`의 `DTypePolicyMap`). 표는 모듈 설명에 있습니다.

    Args:
        layer_class: 독자가 만든 층 클래스 (인스턴스가 아니라 클래스).

    Returns:
        `CheckReport`.

    Example:

    >>> check_quantizable_composite(GatedDense)  # doctest: +SKIP
    ✅ 연습 13-1 양자화해도 다시 불러오는 GatedDense 층: 통과했습니다 (12개 항목 확인).
    """
    require_class(layer_class)
    checker = Checker("연습 13-1 양자화해도 다시 불러오는 GatedDense 층")
    x = np.random.default_rng(SEED).normal(size=(4, 5)).astype("float32")
    with quiet_tensorflow_logs(python_warnings=True), checker:
        checker.expect_registered(layer_class)
        model, layer = checker.call(
            "GatedDense(units=6, name='gated')로 함수형 모델 만들기", _gated_model, layer_class, 6
        )
        checker.expect_equal("name= 인자로 준 층 이름", "gated", layer.name)
        config = checker.call("get_config()", layer.get_config)
        checker.expect_equal("get_config()의 units", 6, config.get("units"))
        dense = _dense_sublayers(layer)
        checker.require(
            len(dense) == 2,
            f"하위 층으로 keras.layers.Dense 두 개(값과 문)가 있어야 하는데 {len(dense)}개입니다.",
        )
        float_out = _numpy(checker.call("모델 호출", model, x))
        candidates = _expected_gated(layer, x)
        checker.expect(
            any(np.allclose(float_out, c, atol=1e-5) for c in candidates),
            "출력이 값(x) * sigmoid(문(x))가 아닙니다 (두 Dense 층 가운데 하나에 sigmoid를 적용해 "
            "다른 하나의 출력에 곱하세요).",
        )
        _, again = checker.call("같은 층을 한 번 더 만들기", _gated_model, layer_class, 6)
        names, names_again = [d.name for d in dense], [d.name for d in _dense_sublayers(again)]
        checker.expect(
            names == names_again,
            f"하위 층에 고정된 이름을 주세요 (name='value'처럼): 두 번 만든 층의 하위 층 이름이 "
            f"{names}와 {names_again}로 다릅니다. 불러올 때 DTypePolicyMap은 층의 경로로 정책을 "
            "찾습니다.",
        )
        checker.expect_save_and_reload(
            "양자화하지 않은 모델", lambda: _gated_model(layer_class, 6)[0], x
        )
        checker.call("model.quantize('int8')", model.quantize, "int8")
        policies = _policy_names(layer)
        checker.require(
            policies == ["int8_from_float32"] * 2,
            f"model.quantize('int8') 뒤 두 Dense 층의 자료형 정책이 int8_from_float32여야 하는데 "
            f"{policies}입니다 (keras.layers.Dense를 상속하지 말고 하위 층으로 두세요).",
        )
        quantized_out = _numpy(checker.call("양자화한 모델 호출", model, x))
        scale = float(np.max(np.abs(float_out))) or 1.0
        checker.expect(
            float(np.max(np.abs(quantized_out - float_out))) <= 0.05 * scale,
            "양자화한 출력이 원래 출력과 너무 다릅니다 (최대 차이가 출력 크기의 5%를 넘습니다).",
        )
        ok, loaded = checker.run(
            "양자화한 모델을 .keras로 저장하고 custom_objects 없이 불러오기", save_and_reload, model
        )
        if not ok:
            if "but received 3 variables" in checker.failures[-1]:
                checker.failures[-1] += (
                    "\n    → 불러올 때 하위 층이 부동소수점 층으로 만들어졌습니다. 하위 층을 "
                    "dtype=self.dtype_policy로 만들고, get_config()의 'dtype'에 양자화된 하위 층의 "
                    "경로와 정책을 담은 keras.dtype_policies.DTypePolicyMap을 적으세요."
                )
            checker.stop()
        checker.expect_close(
            "불러온 양자화 모델의 예측 (저장 전과 같아야 합니다)",
            quantized_out,
            _numpy(loaded(x)),
            atol=1e-6,
        )
        loaded_policies = _policy_names(loaded.get_layer("gated"))
        checker.expect(
            loaded_policies == ["int8_from_float32"] * 2,
            f"불러온 층의 하위 층도 int8이어야 하는데 {loaded_policies}입니다.",
        )
    return checker.report()


# ---------------------------------------------------------------- 연습 13-2


def _scores_model(width, classes, seed):
    inputs = keras.Input((width,), name="features")
    hidden = keras.layers.Dense(8, activation="relu", name="hidden")(inputs)
    outputs = keras.layers.Dense(classes, name="scores")(hidden)
    model = keras.Model(inputs, outputs, name=f"scores_{width}_{classes}")
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 1.0, size=w.shape).astype("float32") for w in model.weights])
    return model


def _softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


@exercise("연습 13-2 확률을 돌려주는 엔드포인트", "export_probabilities")
def check_probability_endpoint(export_fn):
    """연습 13-2: `export_fn(model, path)`가 `probabilities` 엔드포인트를 가진 SavedModel을 쓰는지.

    기대하는 것: `keras.export.ExportArchive`로 모델을 추적하고, 배치 크기가 `None`인 입력을 받아
    `softmax(model(x))`를 돌려주는 엔드포인트 `probabilities`를 더한 뒤 `path`에 씁니다. 채점기는
    입력 폭이 다른 두 모델로 확인합니다. PyTorch 백엔드에서는 채점하지 않습니다.

    Args:
        export_fn: 독자가 만든 함수 `export_fn(model, path)`.

    Returns:
        `CheckReport`.

    Example:

    >>> check_probability_endpoint(export_probabilities)  # doctest: +SKIP
    ✅ 연습 13-2 확률을 돌려주는 엔드포인트: 통과했습니다 (10개 항목 확인).
    """
    checker = Checker("연습 13-2 확률을 돌려주는 엔드포인트")
    backend = keras.backend.backend()
    if backend == "torch":
        checker.fail(
            "연습 13-2는 TensorFlow나 JAX 백엔드에서 채점합니다: PyTorch 백엔드의 ExportArchive는 "
            "torch_xla를 요구합니다 (지금 백엔드: torch)."
        )
        return checker.report()
    with quiet_tensorflow_logs(python_warnings=True), checker:
        checker.require(
            callable(export_fn), "export_fn에는 export_fn(model, path) 함수를 넘기세요."
        )
        import tensorflow as tf

        for width, classes, seed in ((16, 4, SEED), (5, 3, SEED + 1)):
            what = f"{width}→{classes} 모델"
            model = _scores_model(width, classes, seed)
            folder = tempfile.mkdtemp()
            try:
                path = os.path.join(folder, "exported")
                checker.call(f"{what}: export_fn(model, path)", export_fn, model, path)
                artifact = checker.call(
                    f"{what}: tf.saved_model.load(path)", tf.saved_model.load, path
                )
                checker.require(
                    hasattr(artifact, "probabilities"),
                    f"{what}: 내보낸 모델에 probabilities 엔드포인트가 없습니다 "
                    "(ExportArchive.add_endpoint('probabilities', ...)).",
                )
                for batch in (1, 7):
                    x = (
                        np.random.default_rng(seed + batch)
                        .normal(size=(batch, width))
                        .astype("float32")
                    )
                    ok, received = checker.run(
                        f"{what}: probabilities(배치 {batch})",
                        lambda x=x, artifact=artifact: np.asarray(
                            artifact.probabilities(tf.constant(x))
                        ),
                    )
                    if not ok:
                        checker.fail(
                            f"{what}: 배치 {batch}로 부를 수 없습니다. "
                            "input_signature의 배치 차원을 None으로 두세요 "
                            "(keras.InputSpec(shape=(None, 폭)))."
                        )
                        checker.stop()
                    expected = _softmax(_numpy(model(x, training=False)))
                    checker.expect_close(
                        f"{what}: probabilities(배치 {batch})",
                        expected,
                        received,
                        atol=1e-5,
                        hint=" (모델의 점수에 keras.ops.softmax를 마지막 축으로 적용하세요)",
                    )
            finally:
                shutil.rmtree(folder, ignore_errors=True)
    return checker.report()
