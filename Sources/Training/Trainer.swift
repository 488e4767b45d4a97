import Engine
import Networks
import Losses
import Data
import Distributed
