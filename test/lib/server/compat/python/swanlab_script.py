"""The issue's script: log in, init with a config, 100 steps of train_loss,
4 captioned validation images at each of 3 epochs, finish. Runs on SwanLab's
SDK 0.7.x and 0.9.x unchanged; the host and names come from argv, the key
from SWANLAB_API_KEY (not argv, which the run's command line records)."""
import os
import sys

import swanlab
from PIL import Image

host, project, name = sys.argv[1:4]
prompts = ["a red fox", "a castle at dusk", "a bowl of ramen", "a lighthouse in fog"]

swanlab.login(api_key=os.environ["SWANLAB_API_KEY"], host=host)
swanlab.init(project=project, experiment_name=name, config={"lr": 1e-4, "epochs": 3, "resolution": 512})
for step in range(100):
    swanlab.log({"train_loss": 1.0 / (step + 1)}, step=step)
for epoch in range(3):
    images = [
        swanlab.Image(Image.new("RGB", (64, 64), (60 * i, 80 * epoch, 200)), caption=f"{i}: {prompt}")
        for i, prompt in enumerate(prompts)
    ]
    swanlab.log({"validation": images}, step=epoch)
swanlab.finish()
print("swanlab script finished")
