// What every panel and command of the host needs, created once at activation.
import type * as vscode from 'vscode';
import type { EngineService } from './engineService';
import type { Selection } from './selection';

export interface HostServices {
  extensionUri: vscode.Uri;
  engine: EngineService;
  selection: Selection;
  log: vscode.OutputChannel;
}
