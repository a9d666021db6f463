/**
 * The contract suites, unchanged, against the SDK routing over a three-node cluster (the fixture of
 * `test/support/cluster.ts`): routing must not change any answer.
 */
import { clusterClientLayer } from "../support/cluster.js"
import { arrowContractSuite } from "./arrow.js"
import { contractSuite } from "./contract.js"
import { dataContractSuite } from "./data.js"

contractSuite("gRPC to a three-node cluster", () => clusterClientLayer({ nodes: 3 }))
dataContractSuite("gRPC to a three-node cluster", () => clusterClientLayer({ nodes: 3 }))
arrowContractSuite("gRPC to a three-node cluster", () => clusterClientLayer({ nodes: 3 }))
