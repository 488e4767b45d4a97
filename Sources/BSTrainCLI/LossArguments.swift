import ArgumentParser
import Losses

// The losses' choices as command-line values; `--help` lists their raw names.
extension MetricLossKind: ExpressibleByArgument {}
extension BatchSimilarityTripletLoss.Square: ExpressibleByArgument {}
extension LossKind: ExpressibleByArgument {}
