"""`Sampling` 층: 재매개변수화 기법(reparameterization trick)으로 잠재 벡터를 뽑습니다."""

import keras
from keras import ops

from companion._validation import check_input_dtype, check_seed, shapes_compatible, static_shape


def _check_pair(inputs, layer_name):
    """`(z_mean, z_log_var)` 한 쌍의 모양을 확인하고 두 모양을 튜플로 돌려줍니다.

    `inputs`는 텐서 두 개이거나 모양 두 개입니다. 배치 차원처럼 아직 모르는 차원
    (`None`)은 어떤 크기와도 맞는 것으로 봅니다.
    """
    if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
        if isinstance(inputs, (list, tuple)):
            received = f"{len(inputs)}개짜리 {type(inputs).__name__}"
        else:
            received = f"텐서 하나 (모양 {tuple(getattr(inputs, 'shape', ()))})"
        raise ValueError(
            f"{layer_name} 층의 입력은 (z_mean, z_log_var) 두 텐서의 리스트나 튜플이어야 "
            f"합니다. 받은 입력: {received}"
        )
    shapes = []
    for argument, item in zip(("z_mean", "z_log_var"), inputs, strict=True):
        if hasattr(item, "dtype"):
            check_input_dtype(item, argument, f"{layer_name} 층", floating=True)
        try:
            shapes.append(static_shape(item))
        except TypeError as error:
            raise ValueError(
                f"{layer_name} 층의 입력은 (z_mean, z_log_var) 두 텐서여야 합니다. "
                f"받은 입력: {inputs!r}"
            ) from error
    mean_shape, log_var_shape = shapes
    if not shapes_compatible(mean_shape, log_var_shape):
        raise ValueError(
            f"{layer_name} 층의 z_mean과 z_log_var는 모양이 같아야 합니다. "
            f"받은 모양: z_mean={mean_shape}, z_log_var={log_var_shape}"
        )
    return mean_shape, log_var_shape


@keras.saving.register_keras_serializable(package="companion")
class Sampling(keras.layers.Layer):
    """평균과 로그 분산으로 정규분포에서 잠재 벡터 `z`를 뽑는 층.

    `z = z_mean + exp(0.5 * z_log_var) * epsilon`, `epsilon ~ N(0, I)`로 계산합니다.
    무작위성을 `epsilon` 하나로 몰아 두었기 때문에 `z`는 `z_mean`과 `z_log_var`에
    대해 미분할 수 있고, 인코더까지 경사가 흐릅니다 (재매개변수화 기법).
    `epsilon`은 층이 가진 `keras.random.SeedGenerator`로 뽑으므로 같은 `seed`로 만든
    층은 같은 순서의 표본을 냅니다.

    Args:
        seed: 난수 시드(정수) 또는 `None`. `None`이면 전역 시드
            (`keras.utils.set_random_seed`)에서 정해집니다.
        **kwargs: `name`, `dtype` 같은 기반 `Layer`의 인자.

    Call arguments:
        inputs: `(z_mean, z_log_var)` 두 텐서의 리스트나 튜플. 모양이 같아야 합니다.

    Input shape:
        두 입력 모두 `(batch_size, latent_dim)` (또는 모양이 같은 임의의 텐서).

    Output shape:
        `z_mean`과 같은 모양.

    Returns:
        `z_mean`과 모양·자료형이 같은 표본 텐서.

    Example:

    >>> z_mean = keras.ops.zeros((4, 2))
    >>> z_log_var = keras.ops.zeros((4, 2))
    >>> Sampling(seed=0)([z_mean, z_log_var]).shape
    (4, 2)
    """

    def __init__(self, seed=None, **kwargs):
        seed = check_seed(seed)
        super().__init__(**kwargs)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.built = True

    def _sample(self, z_mean, z_log_var):
        epsilon = keras.random.normal(
            ops.shape(z_mean), dtype=z_mean.dtype, seed=self.seed_generator
        )
        return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    def call(self, inputs):
        _check_pair(inputs, self.__class__.__name__)
        z_mean, z_log_var = inputs
        return self._sample(z_mean, z_log_var)

    def compute_output_shape(self, input_shape):
        mean_shape, _ = _check_pair(input_shape, self.__class__.__name__)
        return mean_shape

    def get_config(self):
        return {**super().get_config(), "seed": self.seed}
