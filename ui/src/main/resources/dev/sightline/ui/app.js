// Entry point of the UI: one page (Explore) for now.
import { startExplore } from './explore.js';

startExplore(document);
