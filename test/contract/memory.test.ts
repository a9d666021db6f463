import { BTrDB } from "../../src/index.js"
import { contractSuite } from "./contract.js"

contractSuite("memory", () => BTrDB.layerMemory())
