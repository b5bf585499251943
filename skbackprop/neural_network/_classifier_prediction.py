"""MLPClassifier's prediction methods: classes, probabilities and their logarithms from the
network's output (the forward pass of :mod:`skbackprop.neural_network._predict`)."""

import numpy as np

__all__ = ["ClassifierPredictionMixin"]


class ClassifierPredictionMixin:
    """``predict``, ``predict_proba`` and ``predict_log_proba`` of :class:`MLPClassifier`."""

    def predict(self, X):
        """Predict the classes of X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes (a label indicator matrix for multilabel targets).
        """
        return self._predict(X)

    def _predict(self, X, check_input=True):
        y_pred = self._forward_pass_fast(X, check_input=check_input)
        binarizer = self._label_binarizer
        # LabelBinarizer.inverse_transform's answer without its per-call dispatch: the
        # class of the largest output (multiclass), or of the output above 0.5 (binary).
        if not binarizer.sparse_input_:
            if binarizer.y_type_ == "multiclass":
                return self.classes_[y_pred.argmax(axis=1)]
            if binarizer.y_type_ == "binary" and len(self.classes_) == 2:
                return self.classes_[(y_pred.ravel() > 0.5).astype(np.intp)]
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return binarizer.inverse_transform(y_pred)

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y_prob : ndarray of shape (n_samples, n_classes)
            The probability of each class, in the order of ``classes_``.
        """
        y_pred = self._forward_pass_fast(X)  # checks that the model is fitted
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        if y_pred.ndim == 1:
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def predict_log_proba(self, X):
        """Log of the probability estimates.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_y_prob : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        y_prob = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(y_prob, out=y_prob)
