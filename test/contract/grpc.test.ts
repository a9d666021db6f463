import { grpcLayer } from "../support/layers.js"
import { contractSuite } from "./contract.js"

contractSuite("gRPC to the embedded server", () => grpcLayer())
