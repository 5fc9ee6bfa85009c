"""강좌에서 만드는 층(layer)의 최종 구현."""

# One line per public class, kept sorted by module.
from companion.layers.activity_regularization_layer import ActivityRegularizationLayer
from companion.layers.compute_sum import ComputeSum
from companion.layers.custom_dropout import CustomDropout
from companion.layers.decoder import Decoder
from companion.layers.encoder import Encoder
from companion.layers.gated_fusion import GatedFusion
from companion.layers.kl_divergence_sampling import KLDivergenceSampling
from companion.layers.linear import Linear
from companion.layers.logistic_endpoint import LogisticEndpoint
from companion.layers.masked_average import MaskedAverage
from companion.layers.mlp_block import MLPBlock
from companion.layers.multi_head_attention import SimpleMultiHeadAttention
from companion.layers.position_embedding import PositionEmbedding
from companion.layers.quantizable_linear import QuantizableLinear
from companion.layers.quantizable_mlp_block import QuantizableMLPBlock
from companion.layers.resnet_block import ResNetBlock
from companion.layers.sampling import Sampling
from companion.layers.scan_rnn import ScanRNN
from companion.layers.transformer_encoder import TransformerEncoderBlock
