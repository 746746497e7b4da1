"""An MLflow client script: start_run in a named experiment, params, a tag,
100 steps of train_loss, 4 validation images at each of 3 epochs, end_run.
MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN point it at Inkstone."""
import sys

import mlflow
from PIL import Image

experiment, name = sys.argv[1:3]
prompts = ["a red fox", "a castle at dusk", "a bowl of ramen", "a lighthouse in fog"]

mlflow.set_experiment(experiment)
with mlflow.start_run(run_name=name):
    mlflow.log_params({"lr": 1e-4, "epochs": 3})
    mlflow.set_tag("team", "vision")
    for step in range(100):
        mlflow.log_metric("train_loss", 1.0 / (step + 1), step=step)
    for epoch in range(3):
        for i, prompt in enumerate(prompts):
            image = Image.new("RGB", (64, 64), (60 * i, 80 * epoch, 200))
            mlflow.log_image(image, key=f"validation/{i}: {prompt}", step=epoch)
print("mlflow script finished")
