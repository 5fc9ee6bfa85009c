"""`CustomDropout`: 훈련할 때만 입력 일부를 0으로 만드는 드롭아웃 층."""

import keras

from companion._validation import check_input_dtype, check_real, check_seed


@keras.saving.register_keras_serializable(package="companion")
class CustomDropout(keras.layers.Layer):
    """`training=True`로 호출될 때만 입력 원소를 `rate`의 확률로 0으로 만드는 층.

    남은 원소는 `1 / (1 - rate)`를 곱해 키우므로 출력의 기댓값은 입력과 같습니다.
    `training`이 거짓(기본값)이면 입력을 그대로 돌려줍니다. `fit()`은 이 인자를
    `True`로, `evaluate()`와 `predict()`는 `False`로 알아서 넘겨 줍니다.
    난수는 층이 가진 `keras.random.SeedGenerator`에서 뽑으므로, 같은 `seed`로 만든
    층은 같은 순서의 드롭아웃 패턴을 내고 호출할 때마다 패턴이 바뀝니다.

    Args:
        rate: 0 이상 1 미만의 실수. 원소를 0으로 만들 확률.
        seed: 난수 시드(정수) 또는 `None`. `None`이면 전역 시드
            (`keras.utils.set_random_seed`)에서 정해집니다.
        **kwargs: `name`, `dtype` 같은 기반 `Layer`의 인자.

    Call arguments:
        inputs: 임의 모양의 텐서.
        training: 파이썬 불리언. 참일 때만 드롭아웃을 적용합니다.

    Input shape:
        임의의 모양.

    Output shape:
        입력과 같은 모양.

    Returns:
        훈련 중이면 드롭아웃을 적용한 텐서, 아니면 `inputs` 그대로.

    Example:

    >>> layer = CustomDropout(0.5, seed=0)
    >>> x = keras.ops.ones((2, 4))
    >>> bool(keras.ops.all(layer(x) == x))
    True
    """

    def __init__(self, rate, seed=None, **kwargs):
        rate = check_real("rate", rate, minimum=0.0, maximum=1.0, include_maximum=False)
        seed = check_seed(seed)
        super().__init__(**kwargs)
        self.rate = rate
        self.seed = seed
        # 생성기는 __init__에서 한 번 만듭니다: 상태가 호출마다 앞으로 나아가야
        # 매번 다른 패턴이 나오고, 같은 seed라면 그 순서가 재현됩니다.
        self.seed_generator = keras.random.SeedGenerator(seed)
        # 모양을 바꾸지 않으므로 마스크를 그대로 넘겨도 됩니다.
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        # 추론에서도 확인합니다: 추론에서 통과한 입력이 훈련에서야 실패하면 안 됩니다.
        check_input_dtype(inputs, "inputs", f"'{self.name}' 층", floating=True)
        if training and self.rate > 0:
            return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)
        return inputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
