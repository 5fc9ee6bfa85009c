"""작은 흑백 이미지(Fashion-MNIST 28×28×1)를 분류하는 작은 `ResNet` 모델."""

import keras
from keras import ops

from companion._validation import (
    check_input_dtype,
    check_input_shape,
    check_positive_int,
    check_positive_int_sequence,
)
from companion.layers.resnet_block import ResNetBlock


@keras.saving.register_keras_serializable(package="companion")
class ResNet(keras.Model):
    """`ResNetBlock`을 쌓은 작은 ResNet 분류 모델.

    구조는 줄기(stem: 3×3 합성곱 → 배치 정규화 → ReLU), 단계(stage)마다
    `blocks_per_stage`개의 `ResNetBlock`, 전역 평균 풀링, 클래스 수만큼의 출력을 내는
    `Dense` 층입니다. 두 번째 단계부터는 단계의 첫 블록이 `strides=2`로 높이와 너비를
    절반으로 줄이고 채널을 늘립니다. 28×28 입력이면 기본 설정에서 28 → 14 → 7로
    줄어듭니다.

    출력은 소프트맥스를 거치지 않은 로짓(logit)입니다. 소프트맥스와 교차 엔트로피를
    손실 함수 안에서 한 번에 계산하는 편이 수치적으로 안정적이기 때문이며, 그래서
    `compile()`에는 `keras.losses.SparseCategoricalCrossentropy(from_logits=True)`를
    넘깁니다. 확률이 필요하면 `keras.ops.softmax(model.predict(x))`로 바꿉니다.

    하위 층의 이름은 모두 고정되어 있어서 (`stem_conv`, `stage2_block1`, `classifier`
    등) `model.summary()`와 저장된 가중치의 경로가 실행할 때마다 같습니다.

    Args:
        num_classes: 클래스 수(출력 길이). 양의 정수.
        filters: 단계별 채널 수를 담은 비어 있지 않은 양의 정수 시퀀스. 길이가 단계 수입니다.
            줄기의 채널 수는 첫 단계와 같습니다.
        blocks_per_stage: 단계마다 쌓을 `ResNetBlock` 수. 양의 정수.
        **kwargs: `name`, `dtype` 같은 `keras.Model`의 인자.

    Call arguments:
        inputs: `(batch, height, width, channels)` 모양의 이미지 텐서.
        training: 배치 정규화에 넘길 훈련 여부. `fit()`과 `predict()`가 알아서 정합니다.

    Input shape:
        `(batch, height, width, channels)`. Fashion-MNIST라면 `(batch, 28, 28, 1)`.

    Output shape:
        `(batch, num_classes)` 로짓.

    Returns:
        소프트맥스를 거치지 않은 `(batch, num_classes)` 로짓 텐서.

    Raises:
        ValueError: `num_classes`, `filters`, `blocks_per_stage`가 올바르지 않을 때,
            입력이 4차원이 아니거나 채널 수를 모를 때.

    Example:

    >>> model = ResNet(num_classes=10, name="resnet")
    >>> tuple(model(keras.ops.zeros((2, 28, 28, 1))).shape)
    (2, 10)
    """

    def __init__(self, num_classes=10, filters=(16, 32, 64), blocks_per_stage=1, **kwargs):
        num_classes = check_positive_int("num_classes", num_classes)
        filters = check_positive_int_sequence("filters", filters, example="(16, 32, 64)")
        blocks_per_stage = check_positive_int("blocks_per_stage", blocks_per_stage)
        super().__init__(**kwargs)
        self.num_classes = num_classes
        self.filters = filters
        self.blocks_per_stage = blocks_per_stage

        self.stem_conv = keras.layers.Conv2D(
            self.filters[0],
            3,
            padding="same",
            use_bias=False,
            kernel_initializer="he_normal",
            dtype=self.dtype_policy,
            name="stem_conv",
        )
        self.stem_bn = keras.layers.BatchNormalization(
            momentum=0.9, dtype=self.dtype_policy, name="stem_bn"
        )
        self.blocks = []
        for stage, stage_filters in enumerate(self.filters):
            for index in range(blocks_per_stage):
                # 첫 단계는 줄기의 해상도를 그대로 쓰고, 이후 단계의 첫 블록만 크기를 줄입니다.
                strides = 2 if stage > 0 and index == 0 else 1
                self.blocks.append(
                    ResNetBlock(
                        stage_filters,
                        strides=strides,
                        dtype=self.dtype_policy,
                        name=f"stage{stage + 1}_block{index + 1}",
                    )
                )
        self.pool = keras.layers.GlobalAveragePooling2D(dtype=self.dtype_policy, name="pool")
        self.classifier = keras.layers.Dense(
            num_classes, dtype=self.dtype_policy, name="classifier"
        )

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        check_input_shape(
            input_shape, f"{type(self).__name__} 모델", "(batch, height, width, channels)", ndim=4
        )
        # 하위 층을 차례로 지으면서 모양을 넘겨주면, .keras 파일을 불러올 때
        # build()만으로 모든 가중치가 만들어져 저장된 값을 채울 수 있습니다.
        self.stem_conv.build(input_shape)
        shape = self.stem_conv.compute_output_shape(input_shape)
        self.stem_bn.build(shape)
        for block in self.blocks:
            block.build(shape)
            shape = block.compute_output_shape(shape)
        self.pool.build(shape)
        shape = self.pool.compute_output_shape(shape)
        self.classifier.build(shape)

    def build_from_config(self, config):
        # keras.Model의 build_from_config()는 build()의 오류를 경고로 바꾸고 모델을 짓지 않은
        # 채 두므로, 설정이 망가진 .keras 파일이 저장된 가중치 없이 조용히 불러와집니다.
        # 층(Layer)의 구현을 써서 오류를 그대로 알립니다.
        keras.layers.Layer.build_from_config(self, config)

    def call(self, inputs, training=None):
        check_input_dtype(inputs, "inputs", f"{type(self).__name__} 모델", floating=True)
        x = self.stem_conv(inputs)
        x = self.stem_bn(x, training=training)
        x = ops.relu(x)
        for block in self.blocks:
            x = block(x, training=training)
        x = self.pool(x)
        return self.classifier(x)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.num_classes)

    def get_config(self):
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "filters": list(self.filters),
            "blocks_per_stage": self.blocks_per_stage,
        }
