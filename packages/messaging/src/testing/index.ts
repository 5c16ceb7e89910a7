export { runTransportContract, type ContractContext } from './transport-contract.js';
export { runBrokerRestartContract } from './broker-restart-contract.js';
export { type ContractOptions } from './contract-support.js';
