// The webview panel type of "Browse Folder as Dataset" (the dataset browser outside a custom editor).
export const FOLDER_VIEW_TYPE = 'explainImage.datasetFolder';
