"""3장 연습 문제의 모범 답안: `03_losses_and_metrics.ipynb`의 "모범 답안" 셀과 같은 코드입니다.

채점기(`companion/exercises/chapter03.py`)가 독자의 답을 이 답과 같은 가중치로 맞춰 놓고
비교합니다. 노트북의 답을 고치면 여기도 고칩니다 (`tests/exercises/test_reference.py`가 둘이
같은지 확인합니다). 직렬화 등록 이름만 `solutions_chNN` 대신 `reference_chNN`입니다.
"""

import keras
from keras import ops


class L1ActivityDense(keras.layers.Layer):
    """inputs @ kernel + bias를 돌려주며 출력의 L1 크기에 벌점을 더하는 층."""

    def __init__(self, units, factor=0.01, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.factor = factor

    def build(self, input_shape):
        self.kernel = self.add_weight(
            shape=(input_shape[-1], self.units), initializer="glorot_uniform", name="kernel"
        )
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

    def call(self, inputs):
        outputs = ops.matmul(inputs, self.kernel) + self.bias
        self.add_loss(self.factor * ops.sum(ops.abs(outputs)))
        return outputs


class MeanAbsMonitor(keras.layers.Layer):
    """입력을 그대로 넘기며 절댓값 평균을 지표 mean_abs에 누적하는 층."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.mean_abs = keras.metrics.Mean(name="mean_abs")

    def call(self, inputs):
        self.mean_abs.update_state(ops.abs(inputs))
        return inputs


def value_and_gradients(compute, weights):
    """compute()의 값과 weights에 대한 경사를 지금 백엔드의 방법으로 구합니다."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = compute()
        return loss, tape.gradient(loss, weights)
    if backend == "jax":
        import jax

        def loss_of(values):  # 가중치의 값을 인자로 받아야 JAX가 미분할 수 있습니다.
            mapping = list(zip(weights, values, strict=True))
            with keras.StatelessScope(state_mapping=mapping, collect_losses=True):
                return compute()

        return jax.value_and_grad(loss_of)([w.value for w in weights])
    import torch

    loss = compute()
    return loss, torch.autograd.grad(loss, [w.value for w in weights])


# 본문("직접 만든 훈련 루프에서 losses 쓰기")의 value_and_gradients()를 모범 답안이 씁니다.
def train_step(model, optimizer, loss_fn, x, y):
    def compute():
        predictions = model(x, training=True)
        return loss_fn(y, predictions) + sum(model.losses)  # 이 호출의 손실

    loss, gradients = value_and_gradients(compute, model.trainable_weights)
    optimizer.apply(gradients, model.trainable_weights)
    return loss
