"""`LogisticEndpoint`: 로지스틱 회귀의 손실과 정확도를 스스로 계산하는 끝 층."""

import keras
from keras import ops

from companion._validation import check_input_dtype, shapes_compatible
from companion._validation import static_shape as _static_shape


def _check_same_shape(logits_shape, other_shape, argument):
    """`other_shape`가 `logits_shape`와 같은지 확인합니다 (모르는 차원은 통과)."""
    if not shapes_compatible(logits_shape, other_shape):
        raise ValueError(
            f"{argument}는 logits와 모양이 같아야 합니다. "
            f"받은 모양: logits={logits_shape}, {argument}={other_shape}"
        )


def _check_call_arguments(layer_name, logits, targets, sample_weight):
    """손실을 계산하기 전에 세 인자의 자료형과 모양을 확인합니다."""
    owner = f"'{layer_name}' 층"
    check_input_dtype(logits, "logits", owner, floating=True)
    if targets is None:
        return
    check_input_dtype(targets, "targets", owner)
    logits_shape = _static_shape(logits)
    _check_same_shape(logits_shape, _static_shape(targets), "targets")
    if sample_weight is None:
        return
    check_input_dtype(sample_weight, "sample_weight", owner)
    # 샘플 가중치는 logits의 앞쪽 차원에 맞춰 퍼집니다: (batch_size,)나 logits와 같은 모양.
    weight_shape = _static_shape(sample_weight)
    compatible = len(weight_shape) <= len(logits_shape) and all(
        a is None or b is None or b in (1, a)
        for a, b in zip(logits_shape[: len(weight_shape)], weight_shape, strict=True)
    )
    if not compatible:
        raise ValueError(
            "sample_weight는 logits의 앞쪽 차원에 맞는 모양이어야 합니다 (예: (batch_size,)). "
            f"받은 모양: logits={logits_shape}, sample_weight={weight_shape}"
        )


@keras.saving.register_keras_serializable(package="companion")
class LogisticEndpoint(keras.layers.Layer):
    """로짓을 확률로 바꾸고, 정답이 주어지면 손실과 정확도를 스스로 기록하는 층.

    `targets`를 함께 넘기면 로짓에 대한 이진 교차 엔트로피를 `add_loss()`로 더하고,
    `__init__`에서 만든 `keras.metrics.BinaryAccuracy(name="accuracy")`의 상태를
    갱신합니다. 그래서 이 층으로 끝나는 모델은 `compile()`에 `loss`를 주지 않아도
    `fit()`으로 훈련할 수 있고, 정확도는 `layer.metrics`와 `fit()` 기록의
    `"accuracy"` 키에 나타납니다. Keras 3에는 `add_metric()`이 없으므로 지표 객체를
    직접 들고 `update_state()`를 부르는 방식입니다.

    Args:
        **kwargs: `name`, `dtype` 같은 기반 `Layer`의 인자.

    Call arguments:
        logits: 시그모이드를 적용하기 전의 점수 텐서.
        targets: `logits`와 모양이 같은 0/1 정답 텐서 또는 `None`.
            `None`이면 손실과 지표를 건드리지 않고 확률만 돌려줍니다.
        sample_weight: 샘플 가중치 텐서 또는 `None`. 손실과 정확도 모두에 씁니다.

    Input shape:
        `logits`: `(batch_size, 1)` 같은 임의의 모양. `targets`도 같은 모양.

    Output shape:
        `logits`와 같은 모양.

    Returns:
        `sigmoid(logits)`, 곧 양성 클래스의 확률.

    Example:

    >>> layer = LogisticEndpoint()
    >>> probabilities = layer(keras.ops.zeros((2, 1)), keras.ops.ones((2, 1)))
    >>> [metric.name for metric in layer.metrics]
    ['accuracy']
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        self.accuracy_metric = keras.metrics.BinaryAccuracy(name="accuracy")

    def build(self, logits_shape, targets_shape=None, sample_weight_shape=None):
        # 가중치는 없지만, 첫 호출에서 모양이 맞지 않으면 손실을 계산하기 전에 알려 줍니다.
        if targets_shape is not None:
            _check_same_shape(_static_shape(logits_shape), _static_shape(targets_shape), "targets")

    def call(self, logits, targets=None, sample_weight=None):
        _check_call_arguments(self.name, logits, targets, sample_weight)
        probabilities = ops.sigmoid(logits)
        if targets is not None:
            self.add_loss(self.loss_fn(targets, logits, sample_weight))
            self.accuracy_metric.update_state(targets, probabilities, sample_weight)
        return probabilities

    def compute_output_shape(self, logits_shape, targets_shape=None, sample_weight_shape=None):
        if targets_shape is not None:
            _check_same_shape(_static_shape(logits_shape), _static_shape(targets_shape), "targets")
        return logits_shape
