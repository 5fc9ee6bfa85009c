"""강좌에서 만드는 층(layer)의 최종 구현."""

# One line per public class, kept sorted by module.
