export { Module, registerModule, moduleFromConfig, type ModuleConfig } from './module.js';
