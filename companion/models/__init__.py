"""강좌에서 만드는 모델(model)의 최종 구현."""

# One line per public name, kept sorted by module.
