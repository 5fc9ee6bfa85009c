"""강좌에서 만드는 모델(model)의 최종 구현."""

# One line per public name, kept sorted by module.
from companion.models.functional_vae import build_functional_vae
from companion.models.resnet import ResNet
from companion.models.variational_autoencoder import VariationalAutoEncoder
