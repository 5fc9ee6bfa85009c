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
    # PyTorch: the guarded trace, and no gradient. The symbolic call and fit(), which fail for
    # the same reason, are not reported again.
    assert repr(check_scale_layer(ScaleThroughNumpy)) == (
        "❌ 연습 1-1 Scale 층: 고칠 점이 2개 있습니다.\n"
        "  - Scale(): 컴파일된 함수 안에서 입력 (2, 3)로 호출 중에 예외가 났습니다: "
        f"{_CONVERSION}\n"
        "    → 요구 사항 5: 컴파일된 함수 안에서도 같은 값을 냅니다. call()에서 가중치를 NumPy "
        "값으로 바꾸지 마세요.\n"
        "  - Scale(): 가중치 scale에 대한 경사가 모범 답안과 다릅니다 (1.6476이어야 하는데 경사 "
        "없음 (None 또는 0)입니다).\n"
        "    → 요구 사항 5: 경사가 scale까지 닿아야 합니다 (NumPy 변환이나 stop_gradient 없이)."
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
        '  - TrainingNoise(0.8, seed=3, name="noise"): 컴파일된 함수(tf.function, jax.jit) 안에서 '
        "두 번 부르면 새 값을 뽑아야 하는데 같은 값이 나옵니다 (NumPy나 정수 시드로 뽑은 값은 "
        "그래프에 상수로 굳습니다).\n"
        "    → 요구 사항: 잡음은 __init__()에서 만든 keras.random.SeedGenerator(seed)로 "
        "keras.random.normal에서 뽑습니다. 그래서 컴파일된 함수 안에서도 호출할 때마다 잡음이 "
        "바뀝니다 (NumPy나 정수 시드로 뽑은 잡음은 그래프에 상수로 굳습니다)."
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
        "  - RunningMean(3): 컴파일된 함수 안에서 입력 (2, 3)로 호출 중에 예외가 났습니다: "
        "PythonStateError: call()이 파이썬 속성 self.rows을(를) 바꿉니다. 컴파일된 함수"
        "(tf.function, jax.jit) 안에서는 추적할 때 한 번만 바뀌고, 가중치가 아니라 저장되지도 "
        "않습니다. self.add_weight(..., trainable=False)로 만든 가중치에 담고 assign()으로 "
        "갱신하세요.\n"
        "    → 요구 사항 3: 같은 컴파일된 함수를 여러 번 불러도 평균이 이어집니다 (파이썬 속성에 "
        "둔 상태는 추적할 때 한 번만 바뀝니다)."
    )
