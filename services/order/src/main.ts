import { runApplication } from '@stratus/boot';
import { createOrderService } from './index.js';

void runApplication(() => createOrderService());
