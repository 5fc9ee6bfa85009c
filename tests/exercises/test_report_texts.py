"""The notebooks store ONE output per exercise cell and nbval compares it under every backend.

So a wrong attempt must get the same report, word for word, on TensorFlow, JAX and PyTorch: no
backend's own exception text, the same findings in the same order. These are the notebooks'
wrong attempts (book/01, 05) and two that end in a backend error elsewhere; each test runs on the
backend of the test run (KERAS_BACKEND) and compares with the one stored text.
"""

import keras
import numpy as np
from keras import ops

from companion.exercises import check_running_mean, check_scale_layer, check_training_noise

_CONVERSION = (
    "CompiledConversionError: 컴파일된 함수 안에서 텐서를 NumPy 배열이나 파이썬 값으로 바꾸려 "
    "했습니다 (.numpy(), np.asarray(), float(), 텐서 값으로 쓴 파이썬 if).\n"
    "    → 컴파일된 함수(tf.function, jax.jit, fit()) 안에서는 텐서를 NumPy나 파이썬 값으로 바꿀 "
    "수 없습니다. call()에서는 keras.ops로만 계산하세요."
)


class ScaleThroughNumpy(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scale = self.add_weight(shape=(), initializer="ones", name="scale")

    def call(self, inputs):
        return inputs * float(ops.convert_to_numpy(self.scale))


def test_weight_through_numpy_same_report_on_every_backend():
    # TF: numpy() outside eager execution; JAX: TracerArrayConversionError under jit and grad;
    # PyTorch: the guarded trace, and no gradient.
    assert repr(check_scale_layer(ScaleThroughNumpy)) == (
        "❌ 연습 1-1 Scale 층: 고칠 점이 2개 있습니다.\n"
        f"  - Scale: 컴파일된 함수 안에서 호출 중에 예외가 났습니다: {_CONVERSION}\n"
        "  - Scale: 훈련 가능 가중치 scale_through_numpy/scale에 경사가 닿지 않습니다 (None 또는 "
        "0). call()에서 가중치를 NumPy나 파이썬 수로 바꾸면(.numpy(), np.asarray, float()) 경사가 "
        "끊깁니다. keras.ops로 가중치를 직접 계산에 쓰세요."
    )


class NumpyNoise(keras.layers.Layer):
    def __init__(self, stddev, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.stddev = stddev
        self.rng = np.random.default_rng(seed)

    def call(self, inputs, training=False):
        if not training:
            return inputs
        noise = self.rng.normal(0.0, self.stddev, size=tuple(inputs.shape))
        return inputs + noise.astype("float32")


def test_numpy_noise_same_report_on_every_backend():
    # TF and JAX: the noise is a constant of the compiled function; PyTorch (no compilation):
    # the layer has no SeedGenerator. One sentence for both.
    assert repr(check_training_noise(NumpyNoise)) == (
        "❌ 연습 5-1 TrainingNoise 층: 고칠 점이 1개 있습니다.\n"
        "  - 잡음이 SeedGenerator에서 오지 않습니다: 컴파일한 함수(tf.function, jax.jit) 안에서는 "
        "두 번 호출한 잡음이 같습니다. 그래프를 만들 때 한 번 뽑은 값이 상수로 굳은 것입니다 "
        "(NumPy 대신 keras.random.normal에 SeedGenerator를 넘기세요)."
    )


class RunningMeanCountInPython(keras.layers.Layer):
    def __init__(self, input_dim, **kwargs):
        super().__init__(**kwargs)
        self.total = self.add_weight(shape=(input_dim,), initializer="zeros", trainable=False)
        self.rows = 0

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        self.rows += inputs.shape[0] or 1
        return self.total / float(self.rows)


def test_python_attribute_state_same_report_on_every_backend():
    # tf.function and jax.jit update self.rows once, at tracing; PyTorch every call.
    assert repr(check_running_mean(RunningMeanCountInPython)) == (
        "❌ 연습 1-2 RunningMean 층: 고칠 점이 1개 있습니다.\n"
        "  - 특성이 5개인 층을 한 컴파일된 함수로 1번째 호출 중에 예외가 났습니다: "
        "PythonStateError: call()이 파이썬 속성 self.rows을(를) 바꿉니다. 컴파일된 함수"
        "(tf.function, jax.jit) 안에서는 추적할 때 한 번만 바뀌고, 가중치가 아니라 저장되지도 "
        "않습니다. self.add_weight(..., trainable=False)로 만든 가중치에 담고 assign()으로 "
        "갱신하세요."
    )
