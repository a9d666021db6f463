import { BTrDB } from "../../src/index.js"
import { arrowContractSuite } from "./arrow.js"
import { contractSuite } from "./contract.js"
import { dataContractSuite } from "./data.js"
import { distilContractSuite } from "./distil.js"
import { transformersContractSuite } from "./transformers.js"
import { writerContractSuite } from "./writer.js"

contractSuite("memory", () => BTrDB.layerMemory())
dataContractSuite("memory", () => BTrDB.layerMemory())
arrowContractSuite("memory", () => BTrDB.layerMemory())
writerContractSuite("memory", () => BTrDB.layerMemory())
transformersContractSuite("memory", () => BTrDB.layerMemory())
distilContractSuite("memory", () => BTrDB.layerMemory())
