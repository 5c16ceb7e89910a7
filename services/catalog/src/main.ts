import { runApplication } from '@stratus/boot';
import { createCatalogService } from './index.js';

void runApplication(() => createCatalogService());
