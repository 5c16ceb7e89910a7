import { runApplication } from '@stratus/boot';
import { createUserService } from './index.js';

void runApplication(() => createUserService());
