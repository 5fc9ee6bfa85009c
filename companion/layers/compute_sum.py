"""`ComputeSum` 층: 지금까지 받은 입력의 합을 훈련 불가능 가중치에 쌓아 둡니다."""

import keras
from keras import ops

from companion._validation import check_input_dtype


@keras.saving.register_keras_serializable(package="companion")
class ComputeSum(keras.layers.Layer):
    """호출될 때마다 입력을 배치 축으로 더해 누적 합 `total`에 쌓는 층.

    `total`은 훈련 불가능 가중치(non-trainable weight)입니다. 역전파로 바뀌지 않고
    `call()`이 직접 값을 고치는 상태(state)이므로 `trainable_weights`에는 없고
    `non_trainable_weights`에만 들어 있습니다. 가중치와 함께 저장되고 다시 불러와집니다.

    Args:
        **kwargs: `name`, `dtype`처럼 기반 클래스 `keras.layers.Layer`가 받는 인자.

    Call arguments:
        inputs: `(batch_size, input_dim)` 모양의 텐서.

    Input shape:
        `(batch_size, input_dim)` 모양의 2차원 텐서.

    Output shape:
        `(input_dim,)` 모양의 1차원 텐서 (배치 축이 없습니다).

    Returns:
        이번 호출까지 더한 누적 합 `total`의 값.

    Raises:
        ValueError: 입력이 2차원이 아니거나 특성 수가 처음 만든 `total`과 맞지 않을 때.

    Example:

    >>> layer = ComputeSum(name="compute_sum")
    >>> layer(keras.ops.ones((2, 2))).numpy()
    array([2., 2.], dtype=float32)
    >>> layer(keras.ops.ones((2, 2))).numpy()
    array([4., 4.], dtype=float32)
    """

    def build(self, input_shape):
        input_dim = self._input_dim(input_shape)
        if input_dim is None:
            raise ValueError(
                f"'{self.name}' 층의 total을 만들려면 입력의 마지막 차원을 알아야 합니다. "
                f"받은 입력 모양: {tuple(input_shape)}"
            )
        # 혼합 정밀도에서도 합은 변수 자료형(보통 float32)으로 쌓아야 오차가 덜 쌓이므로
        # 자동 형 변환(autocast)을 끕니다. BatchNormalization의 이동 평균과 같은 이유입니다.
        self.total = self.add_weight(
            name="total",
            shape=(input_dim,),
            initializer="zeros",
            trainable=False,
            autocast=False,
        )
        # From now on Keras itself checks the rank and the feature count of every input.
        self.input_spec = keras.layers.InputSpec(ndim=2, axes={-1: input_dim})

    def call(self, inputs):
        check_input_dtype(inputs, "inputs", f"'{self.name}' 층")
        self.total.assign_add(ops.sum(ops.cast(inputs, self.total.dtype), axis=0))
        return ops.cast(self.total, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (self._input_dim(input_shape),)

    def _input_dim(self, input_shape):
        """입력이 2차원인지 확인하고 특성 수를 돌려줍니다."""
        shape = tuple(input_shape)
        if len(shape) != 2:
            raise ValueError(
                f"'{self.name}' 층의 입력은 (배치, 특성) 모양의 2차원 텐서여야 합니다. "
                f"받은 입력 모양: {shape}"
            )
        return shape[-1]
