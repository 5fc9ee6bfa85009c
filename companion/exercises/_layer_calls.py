"""채점기가 독자의 층을 호출할 때 함께 쓰는 작은 도구."""

import keras


def call_layer(layer, x):
    """독자의 층을 `x`로 호출하고 출력을 NumPy 배열로 돌려줍니다.

    `Checker.run(설명, call_layer, layer, x)`로 부르면, 층이 낸 예외는 `Checker.run()`이
    Keras가 감싸기 전의 원래 예외로 되돌리고 TensorFlow 내부 정보를 걷어 낸 뒤, 원인이 담긴
    줄과 (흔한 Keras 오류라면) 한국어 설명을 보고서에 적습니다.

    Args:
        layer: 독자가 만든 층 인스턴스.
        x: 입력 배열.

    Returns:
        층 출력의 NumPy 배열.
    """
    return keras.ops.convert_to_numpy(layer(x))
